//! Upstream failures: each maps to the contract's code, the user's message stays in
//! the history and the assistant's is marked `error`.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{COMPLETIONS, code, history, prompt, upstream_calls, user};
use crate::harness::TestApp;

/// The last two messages of `chat` after a failed prompt `text`.
async fn assert_failure_recorded(app: &TestApp, token: &str, chat: &str, text: &str) {
    let (status, _, body) = history(app, token, &format!("chat_id={chat}")).await;
    assert_eq!(status, 200, "{body}");
    let messages = body["messages"].as_array().expect("messages");
    let [.., asked, answered] = messages.as_slice() else {
        panic!("too few messages: {body}");
    };
    assert_eq!(asked["role"], "user");
    assert_eq!(asked["content"], text);
    assert_eq!(answered["role"], "assistant");
    assert_eq!(answered["status"], "error", "{body}");
}

/// Sends a prompt to a new chat with `template` as the upstream's every reply;
/// returns status, headers, body and the chat id (found through the list).
async fn fail_with(
    app: &TestApp,
    template: ResponseTemplate,
) -> (u16, reqwest::header::HeaderMap, Value, String, String) {
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(template)
        .mount(&app.upstream)
        .await;
    let token = user(app).await;
    let text = "Will this fail?";
    let (status, headers, body) = prompt(app, &token, &json!({"prompt": text})).await;
    let list: Value = app
        .get("/chats", Some(&token))
        .await
        .json()
        .await
        .expect("chat list");
    let chat = list["items"][0]["chat_id"]
        .as_str()
        .expect("the chat exists after a failed first prompt")
        .to_owned();
    assert_failure_recorded(app, &token, &chat, text).await;
    (status, headers, body, chat, token)
}

#[tokio::test]
async fn a_rejected_key_is_502_upstream_unauthorized() {
    let app = TestApp::spawn().await;
    let body = json!({"error": {"code": 401, "message": "No auth credentials found"}});
    let (status, _, error, _, _) =
        fail_with(&app, ResponseTemplate::new(401).set_body_json(body)).await;
    assert_eq!((status, code(&error)), (502, "upstream_unauthorized"));
    assert_eq!(upstream_calls(&app.upstream).await, 1);
}

#[tokio::test]
async fn no_credits_is_402_upstream_insufficient_credits() {
    let app = TestApp::spawn().await;
    let body = json!({"error": {"code": 402, "message": "Insufficient credits"}});
    let (status, _, error, _, _) =
        fail_with(&app, ResponseTemplate::new(402).set_body_json(body)).await;
    assert_eq!(
        (status, code(&error)),
        (402, "upstream_insufficient_credits")
    );
    assert_eq!(upstream_calls(&app.upstream).await, 1);
}

#[tokio::test]
async fn an_upstream_rate_limit_is_429_with_retry_after() {
    let app = TestApp::spawn().await;
    // Longer than the adapter would wait, so it is handed to the client at once.
    let template = ResponseTemplate::new(429)
        .insert_header("Retry-After", "30")
        .set_body_json(json!({"error": {"code": 429, "message": "Rate limit exceeded"}}));
    let (status, headers, error, _, _) = fail_with(&app, template).await;
    assert_eq!((status, code(&error)), (429, "upstream_rate_limited"));
    let retry_after: u64 = headers
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn a_server_error_is_retried_then_502_upstream_error() {
    let app = TestApp::spawn().await;
    let template = ResponseTemplate::new(500).set_body_string("internal failure");
    let (status, _, error, chat, token) = fail_with(&app, template).await;
    assert_eq!((status, code(&error)), (502, "upstream_error"));
    // One attempt and the adapter's two retries before any byte of an answer.
    assert_eq!(upstream_calls(&app.upstream).await, 3);

    // The chat goes on; the failed exchange is not sent to the model as history.
    app.upstream.reset().await;
    super::support::answer(&app.upstream, "Now it works.", (3, 3)).await;
    let (status, _, turn) = prompt(
        &app,
        &token,
        &json!({"chat_id": chat, "prompt": "Try again"}),
    )
    .await;
    assert_eq!(status, 200, "{turn}");
    let sent = super::support::upstream_bodies(&app.upstream).await;
    let roles: Vec<&str> = sent[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .filter(|r| *r != "system")
        .collect();
    assert!(!roles.windows(2).any(|w| w == ["assistant", "assistant"]));
}

#[tokio::test]
async fn a_slow_upstream_is_504_upstream_timeout() {
    let app = TestApp::spawn_with(&[("LLM_TIMEOUT_SECONDS", "1")]).await;
    let template = ResponseTemplate::new(200)
        .set_body_json(super::support::completion("late", "m/x", (1, 1)))
        .set_delay(Duration::from_secs(4));
    let started = std::time::Instant::now();
    let (status, _, error, _, _) = fail_with(&app, template).await;
    assert_eq!((status, code(&error)), (504, "upstream_timeout"));
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(upstream_calls(&app.upstream).await, 1);
}

#[tokio::test]
async fn an_error_in_a_200_body_is_mapped_too() {
    let app = TestApp::spawn().await;
    let body = json!({"error": {"code": 402, "message": "Insufficient credits"}});
    let (status, _, error, _, _) =
        fail_with(&app, ResponseTemplate::new(200).set_body_json(body)).await;
    assert_eq!(
        (status, code(&error)),
        (402, "upstream_insufficient_credits")
    );
}
