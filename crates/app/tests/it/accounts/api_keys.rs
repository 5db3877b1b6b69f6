//! Personal API keys over HTTP: minted, listed and revoked with a login token, and
//! authenticating like an access token; what a key may not do and where it stops
//! working is in [`boundaries`].

mod boundaries;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{error, tokens, unique};
use crate::harness::TestApp;

/// A registered user's login tokens.
pub(super) async fn user(app: &TestApp) -> (String, super::support::Tokens) {
    let name = unique("keys");
    super::support::register(app, &name, None).await;
    let tokens = tokens(app, &name).await;
    (name, tokens)
}

pub(super) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// Mints a key with `token` and returns the whole 201 body.
pub(super) async fn create_key(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app.post("/user/api-keys", Some(token), body).await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("key body")
}

pub(super) fn key_of(created: &Value) -> &str {
    created["key"].as_str().expect("key")
}

pub(super) async fn profile_status(app: &TestApp, token: &str) -> u16 {
    app.get("/user/profile", Some(token))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_key_is_shown_once_listed_without_it_and_authenticates_like_a_token() {
    let app = TestApp::spawn().await;
    let (_, tokens) = user(&app).await;
    let created = create_key(
        &app,
        &tokens.access,
        &json!({"name": "  n8n  ", "expires_in_days": 30}),
    )
    .await;
    let key = key_of(&created);
    assert!(key.starts_with("pc_") && key.len() == 46, "{key}");
    assert_eq!(created["prefix"], key[..8]);
    assert_eq!(created["name"], "n8n");
    assert!(created["last_used_at"].is_null());
    let created_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["created_at"].clone()).unwrap();
    let expires_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["expires_at"].clone()).unwrap();
    assert_eq!(expires_at - created_at, chrono::TimeDelta::days(30));
    let forever = create_key(&app, &tokens.access, &json!({"name": "forever"})).await;
    assert!(forever["expires_at"].is_null());

    let me: Value = app
        .get("/user/profile", Some(&tokens.access))
        .await
        .json()
        .await
        .unwrap();
    let with_key = app.get("/user/profile", Some(key)).await;
    assert_eq!(with_key.status(), 200);
    assert_eq!(with_key.json::<Value>().await.unwrap()["id"], me["id"]);
    let preferences = app.get("/user/preferences", Some(key)).await;
    assert_eq!(preferences.status(), 200);

    let listed = app.get("/user/api-keys", Some(&tokens.access)).await;
    assert_eq!(listed.status(), 200);
    let text = listed.text().await.unwrap();
    assert!(!text.contains(&key[8..]), "the list shows no key: {text}");
    let listed: Value = serde_json::from_str(&text).unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], forever["id"], "newest first");
    let listed_key = &items[1];
    assert_eq!(listed_key["id"], created["id"]);
    assert_eq!(listed_key["prefix"], created["prefix"]);
    assert!(listed_key.get("key").is_none());

    // The use is recorded after the response.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let listed: Value = app
            .get("/user/api-keys", Some(&tokens.access))
            .await
            .json()
            .await
            .unwrap();
        if !listed["items"][1]["last_used_at"].is_null() {
            break;
        }
        assert!(Instant::now() < deadline, "last_used_at never set");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn names_and_lifetimes_are_validated_naming_the_field() {
    let app = TestApp::spawn().await;
    let (_, tokens) = user(&app).await;
    let long = "k".repeat(65);
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": long}), "name"),
        (json!({"name": 5}), "name"),
        (
            json!({"name": "ok", "expires_in_days": 0}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": -1}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": 3651}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": 1.5}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": "30"}),
            "expires_in_days",
        ),
    ] {
        let response = app
            .post("/user/api-keys", Some(&tokens.access), &body)
            .await;
        let (status, code, message) = error(response).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{body}"
        );
        assert!(message.contains(field), "{body}: {message}");
    }
    let edge = json!({"name": "k".repeat(64), "expires_in_days": 3650, "unknown": true});
    create_key(&app, &tokens.access, &edge).await;
    let listed: Value = app
        .get("/user/api-keys", Some(&tokens.access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_users_key_is_not_found_and_a_revoked_key_stops_working() {
    let app = TestApp::spawn().await;
    let (_, alice) = user(&app).await;
    let (_, bob) = user(&app).await;
    let created = create_key(&app, &alice.access, &json!({"name": "alice's"})).await;
    let (key, id) = (key_of(&created), created["id"].as_str().unwrap());
    let path = format!("/user/api-keys/{id}");

    let theirs = send(&app, Method::DELETE, &path, &bob.access, None).await;
    let (status, code, _) = error(theirs).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let missing = format!("/user/api-keys/{}", uuid::Uuid::new_v4());
    let (status, _, _) =
        error(send(&app, Method::DELETE, &missing, &alice.access, None).await).await;
    assert_eq!(status, 404);
    let garbage = send(
        &app,
        Method::DELETE,
        "/user/api-keys/nope",
        &alice.access,
        None,
    )
    .await;
    assert_eq!(error(garbage).await.0, 404);
    let bobs: Value = app
        .get("/user/api-keys", Some(&bob.access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bobs["items"], json!([]), "bob sees none of alice's keys");
    assert_eq!(profile_status(&app, key).await, 200, "still works");

    let revoked = send(&app, Method::DELETE, &path, &alice.access, None).await;
    assert_eq!(revoked.status(), 204);
    let (status, code, _) = error(app.get("/user/profile", Some(key)).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    let again = send(&app, Method::DELETE, &path, &alice.access, None).await;
    assert_eq!(again.status(), 404);
    let unknown = format!("pc_{}", "A".repeat(43));
    assert_eq!(profile_status(&app, &unknown).await, 401);
}
