//! What the custom-model tests share: an app whose webhooks may reach the fake n8n
//! on loopback, the registry's calls, and reading what the fake n8n received.

use hmac::{Hmac, Mac as _};
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::harness::TestApp;

/// Webhooks may reach the fake n8n on loopback only because the test opens it.
const LOOPBACK: (&str, &str) = ("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8");

pub(super) async fn app() -> TestApp {
    TestApp::spawn_with(&[LOOPBACK]).await
}

pub(super) async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(super) fn model_body(n8n: &MockServer, slug: &str) -> Value {
    json!({
        "slug": slug,
        "name": "Support bot",
        "description": "Answers from the help centre",
        "chat_webhook_url": format!("{}/webhook/chat", n8n.uri()),
        "completions_webhook_url": format!("{}/webhook/completion", n8n.uri()),
        "timeout_seconds": 5,
        "webhook_headers": {"X-Team-Token": "team-secret-value"},
    })
}

pub(super) async fn create(app: &TestApp, admin: &str, body: &Value) -> (u16, Value) {
    json_of(app.post("/admin/models", Some(admin), body).await).await
}

/// The fake n8n answers the chat webhook with `answer` as its JSON body.
pub(super) async fn n8n_answering(n8n: &MockServer, route: &str, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(response)
        .mount(n8n)
        .await;
}

pub(super) fn received_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("webhook body is JSON")
}

pub(super) fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Whether `X-Polychat-Signature` is `t=<secs>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub(super) fn signature_verifies(request: &Request, secret: &str) -> bool {
    let signature = header(request, "x-polychat-signature");
    let Some((t, v1)) = signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&request.body);
    let expected = mac.finalize().into_bytes();
    let expected = expected.iter().fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    expected == v1
}
