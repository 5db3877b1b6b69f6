//! A key is shown to OpenRouter (`GET /key`, asked with the key) when it is set: one
//! OpenRouter refuses is 422 `openrouter_key_invalid` and not stored; one it cannot be
//! asked about is stored, and the answer warns. A misspelled key field is a 422 naming
//! it, not a silent no-op.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{put_profile, register, stored_ciphertext, tokens, unique};
use crate::harness::{KEY_CHECK, TestApp};

const REFUSED: &str = "sk-or-v1-revoked-0000000000000000dead";

async fn openrouter_refuses(app: &TestApp, key: &str) {
    Mock::given(method("GET"))
        .and(path(KEY_CHECK))
        .and(header("authorization", format!("Bearer {key}")))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": {"message": "User not found.", "code": 401}})),
        )
        .mount(&app.upstream)
        .await;
}

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (
        status,
        response.json::<Value>().await.expect("JSON error body")["error"].clone(),
    )
}

#[tokio::test]
async fn a_key_openrouter_refuses_is_422_and_not_stored() {
    let app = TestApp::spawn().await;
    openrouter_refuses(&app, REFUSED).await;
    let username = unique("ana");
    let response = app
        .post(
            "/register",
            None,
            &json!({"username": username, "password": "correct horse battery", "openrouter_api_key": REFUSED}),
        )
        .await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, 422);
    assert_eq!(error["code"], "openrouter_key_invalid");
    assert_eq!(error["param"], "openrouter_api_key");
    assert!(!error.to_string().contains(REFUSED));

    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    let (status, error) =
        error_of(put_profile(&app, &token, &json!({"openrouter_api_key": REFUSED})).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (422, Some("openrouter_key_invalid"))
    );
    assert_eq!(stored_ciphertext(&app, &username).await, None);

    let good = "sk-or-v1-good-00000000000000000000beef";
    let response = put_profile(&app, &token, &json!({"openrouter_api_key": good})).await;
    assert_eq!(response.status(), 200);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["openrouter_key_hint"], "…beef");
    assert!(profile.get("warnings").is_none(), "{profile}");
    let checks = app.upstream.received_requests().await.unwrap();
    let asked_with = checks
        .iter()
        .filter(|request| request.url.path() == KEY_CHECK)
        .filter_map(|request| request.headers.get("authorization"))
        .map(|value| value.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(
        asked_with,
        [
            format!("Bearer {REFUSED}"),
            format!("Bearer {REFUSED}"),
            format!("Bearer {good}")
        ]
    );
}

#[tokio::test]
async fn when_openrouter_cannot_be_asked_the_key_is_stored_with_a_warning() {
    let app = TestApp::spawn().await;
    Mock::given(method("GET"))
        .and(path(KEY_CHECK))
        .respond_with(ResponseTemplate::new(503))
        .mount(&app.upstream)
        .await;
    let username = unique("bia");
    let key = "sk-or-v1-unchecked-000000000000000c0de";
    let response = app
        .post(
            "/register",
            None,
            &json!({"username": username, "password": "correct horse battery", "openrouter_api_key": key}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["has_openrouter_key"], true);
    let warning = profile["warnings"][0].as_str().unwrap();
    assert!(
        warning.starts_with("openrouter_key_unchecked:"),
        "{warning}"
    );
    assert!(!warning.contains(key));
    assert!(stored_ciphertext(&app, &username).await.is_some());
}

#[tokio::test]
async fn a_misspelled_field_is_named_and_an_unknown_one_ignored() {
    let app = TestApp::spawn().await;
    let username = unique("caio");
    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    for misspelled in ["openrouter_key", "openRouterApiKey", "api_key"] {
        let response = put_profile(
            &app,
            &token,
            &json!({misspelled: "sk-or-v1-x-0000000000000"}),
        )
        .await;
        let (status, error) = error_of(response).await;
        assert_eq!(status, 422, "{misspelled}");
        assert_eq!(error["param"], misspelled);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("did you mean `openrouter_api_key`?"),
            "{error}"
        );
    }
    assert_eq!(stored_ciphertext(&app, &username).await, None);
    let ignored = put_profile(
        &app,
        &token,
        &json!({"theme": "dark", "display_name": "Caio"}),
    )
    .await;
    assert_eq!(ignored.status(), 200);

    let response = app
        .post(
            "/register",
            None,
            &json!({"username": unique("dani"), "pasword": "correct horse battery", "password": "correct horse battery"}),
        )
        .await;
    let (status, error) = error_of(response).await;
    assert_eq!((status, error["param"].as_str()), (422, Some("pasword")));
}
