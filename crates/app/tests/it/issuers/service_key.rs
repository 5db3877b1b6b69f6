//! `OPENROUTER_SERVICE_KEY` answers for users without a key of their own, only where
//! the configuration allows it; usage stays per user; the key is never shown.

use serde_json::{Value, json};
use wiremock::MockServer;

use super::support::{app_trusting, django_token, oidc_token};
use crate::accounts::leaks::logs;
use crate::accounts::support::upstream_authorizations;
use crate::chat::support::{KEY, answer};
use crate::harness::TestApp;

const SERVICE_KEY: &str = "sk-or-v1-operator-service-key-9f8e7d";

async fn chat(app: &TestApp, token: &str) -> (u16, String) {
    let response = app
        .post("/chat", Some(token), &json!({"prompt": "oi"}))
        .await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The caller's usage once it counts `requests` (usage is written off the response path).
async fn requests_of(app: &TestApp, token: &str, requests: u64) -> u64 {
    let today = chrono::Utc::now().date_naive();
    let path = format!("/user/usage?from={today}&to={today}&group_by=model");
    let mut seen = 0;
    for _ in 0..50 {
        let body: Value = app
            .get(&path, Some(token))
            .await
            .json()
            .await
            .expect("usage");
        seen = body["total"]["requests"].as_u64().unwrap_or(0);
        if seen == requests {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    seen
}

#[tokio::test]
async fn the_service_key_answers_only_for_the_issuers_allowed_it() {
    // Capture this test's log lines from the start.
    let _ = logs();
    let provider = MockServer::start().await;
    let app = app_trusting(
        &provider,
        "allow_service_key = true",
        &[("OPENROUTER_SERVICE_KEY", SERVICE_KEY)],
    )
    .await;
    answer(&app.upstream, "olá", (3, 1)).await;
    let django = django_token(&json!(42));
    let (status, body) = chat(&app, &django).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(SERVICE_KEY));
    assert_eq!(
        upstream_authorizations(&app.upstream).await,
        vec![format!("Bearer {SERVICE_KEY}")]
    );
    assert_eq!(
        requests_of(&app, &django, 1).await,
        1,
        "usage is the user's"
    );
    let other_django = django_token(&json!(43));
    assert_eq!(requests_of(&app, &other_django, 0).await, 0);

    // Not for the issuer that was not allowed it, nor for local users by default.
    let (status, body) = chat(&app, &oidc_token("ana")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("openrouter_key_missing"), "{body}");
    let local = app.user("local-no-key", None).await;
    let (status, body) = chat(&app, &local).await;
    assert_eq!(status, 400, "{body}");
    // A user's own key comes first.
    let keyed = app.user("local-keyed", Some(KEY)).await;
    assert_eq!(chat(&app, &keyed).await.0, 200);
    assert_eq!(
        upstream_authorizations(&app.upstream).await.last(),
        Some(&format!("Bearer {KEY}"))
    );
    let profile: Value = app
        .get("/user/profile", Some(&django))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["has_openrouter_key"], false);
    assert!(!profile.to_string().contains(SERVICE_KEY));
    assert!(!logs().contains(SERVICE_KEY), "the service key was logged");
}

#[tokio::test]
async fn local_users_may_be_allowed_the_service_key() {
    let provider = MockServer::start().await;
    let app = app_trusting(
        &provider,
        "",
        &[
            ("OPENROUTER_SERVICE_KEY", SERVICE_KEY),
            ("SERVICE_KEY_FOR_LOCAL_USERS", "true"),
        ],
    )
    .await;
    answer(&app.upstream, "olá", (3, 1)).await;
    let local = app.user("local-served", None).await;
    assert_eq!(chat(&app, &local).await.0, 200);
    let (status, _) = chat(&app, &django_token(&json!(42))).await;
    assert_eq!(status, 400, "backoffice is not allowed it here");
}
