//! A refused credential is told why (missing, malformed, expired, revoked, of the wrong
//! kind, or simply not valid) with RFC 6750's `WWW-Authenticate` challenge, and only of
//! a token whose signature holds: an expired forgery is "not valid", never "expired".
//! Authentication is judged before the body or the query string, and those errors
//! name the field in the contract's words.

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::forged::{access_claims, now, secret, sign};
use super::support::{register, tokens, unique};
use crate::harness::TestApp;

/// The status, the message and the `WWW-Authenticate` header of a refusal.
async fn refusal(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().expect("ASCII header").to_owned())
        .unwrap_or_default();
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    let message = body["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned();
    (status, message, challenge)
}

async fn profile_with(app: &TestApp, token: Option<&str>) -> (u16, String, String) {
    refusal(app.get("/user/profile", token).await).await
}

#[tokio::test]
async fn each_refusal_says_which_and_challenges_as_rfc_6750_says() {
    let app = TestApp::spawn().await;
    let username = unique("ana");
    let profile = register(&app, &username, None).await;
    let user = profile["id"].as_str().unwrap().to_owned();
    let session = tokens(&app, &username).await;

    let (status, message, challenge) = profile_with(&app, None).await;
    assert_eq!(status, 401);
    assert!(message.contains("no credential was sent"), "{message}");
    assert_eq!(challenge, r#"Bearer realm="polychat""#);

    let key = secret(&app);
    let mut expired = access_claims(&user);
    expired["exp"] = json!(now() - 600);
    expired["iat"] = json!(now() - 1200);
    let expired_genuine = sign(&expired, Algorithm::HS256, &key);
    let expired_forged = sign(
        &expired,
        Algorithm::HS256,
        "another-secret-of-32-bytes-or-more!!",
    );
    let cases = [
        ("not-a-token".to_owned(), "not an access token or API key"),
        (session.refresh.clone(), "this is a refresh token"),
        (expired_genuine, "has expired"),
        (expired_forged, "is not valid"),
        (
            "pc_0000000000000000000000000000000000000000".to_owned(),
            "is not valid",
        ),
    ];
    for (token, expected) in &cases {
        let (status, message, challenge) = profile_with(&app, Some(token)).await;
        assert_eq!(status, 401, "{expected}");
        assert!(message.contains(expected), "{expected}: {message}");
        assert!(
            challenge.starts_with(
                r#"Bearer realm="polychat", error="invalid_token", error_description=""#
            ),
            "{challenge}"
        );
    }

    let out = app.post("/logout", Some(&session.access), &json!({})).await;
    assert!(out.status().is_success());
    let (status, message, _) = profile_with(&app, Some(&session.access)).await;
    assert_eq!(status, 401);
    assert!(message.contains("was revoked"), "{message}");
}

#[tokio::test]
async fn authentication_comes_before_the_body_and_the_query() {
    let app = TestApp::spawn().await;
    let username = unique("bea");
    register(&app, &username, None).await;
    let session = tokens(&app, &username).await;
    app.post("/logout", Some(&session.access), &json!({})).await;

    // A revoked token with a body of the wrong shape, or not JSON at all: 401.
    let wrong_shape = app
        .post("/chat", Some(&session.access), &json!({"prompt": 5}))
        .await;
    assert_eq!(refusal(wrong_shape).await.0, 401);
    let not_json = app
        .client
        .post(app.url("/chat"))
        .bearer_auth(&session.access)
        .header("Content-Type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(not_json).await.0, 401);
    let bad_query = app.get("/chats?limit=lots", Some(&session.access)).await;
    assert_eq!(refusal(bad_query).await.0, 401);
}

/// The status, `param` and message of a validation error.
async fn invalid(response: reqwest::Response) -> (u16, Value, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON error body");
    let message = body["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned();
    (status, body["error"]["param"].clone(), message)
}

#[tokio::test]
async fn type_errors_name_the_field_in_the_contracts_words() {
    let app = TestApp::spawn().await;
    let username = unique("caio");
    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;

    let (status, param, message) = invalid(app.get("/chats?limit=lots", Some(&token)).await).await;
    assert_eq!((status, param), (422, json!("limit")));
    assert_eq!(message, "limit: must be a whole number");

    let (status, param, message) =
        invalid(app.post("/chat", Some(&token), &json!({"prompt": 5})).await).await;
    assert_eq!((status, param), (422, json!("prompt")));
    assert_eq!(message, "prompt: must be a string (got a number)");

    let (status, param, message) = invalid(
        app.post("/chat", Some(&token), &json!({"model": "x"}))
            .await,
    )
    .await;
    assert_eq!((status, param), (422, json!("prompt")));
    assert_eq!(message, "prompt: is required");

    for message in [&message] {
        for parser_words in ["deserialize", "line 1", "column", "u32", "invalid type"] {
            assert!(!message.contains(parser_words), "{message}");
        }
    }

    let broken = app
        .client
        .post(app.url("/chat"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body(r#"{"prompt": "hi""#)
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");
}

#[tokio::test]
async fn searching_an_unknown_chat_is_not_found() {
    let app = TestApp::spawn().await;
    let username = unique("dora");
    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    let response = app
        .post(
            "/messages/search",
            Some(&token),
            &json!({"query": "rust", "chat_id": "0195f1d2-3c4b-7a00-8000-000000000000"}),
        )
        .await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["param"], "chat_id");
}
