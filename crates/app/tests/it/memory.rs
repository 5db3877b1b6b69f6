//! Whole-app tests of memory: preferences learned from prompts and injected into later
//! ones, the user's control over them, semantic search over past messages, isolation
//! between users and life without the embeddings server. Real stores and embeddings;
//! only the LLM upstream is mocked.

mod crud;
mod degradation;
mod isolation;
mod labelled;
mod learning;
mod pressure;
mod search;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::harness::TestApp;

const COMPLETIONS: &str = "/api/v1/chat/completions";

/// A user with an OpenRouter key, on an app whose upstream answers every prompt.
pub(crate) async fn ready_user(app: &TestApp) -> String {
    let name = format!("m{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    app.user(&name, Some("sk-or-v1-memory-test-9z8y")).await
}

/// Makes the upstream answer every completion with `content`.
pub(crate) async fn answer(app: &TestApp, content: &str) {
    let body = json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    });
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&app.upstream)
        .await;
}

/// `POST /chat`; asserts 200 and returns the chat turn.
pub(crate) async fn turn(app: &TestApp, token: &str, chat_id: Option<&str>, prompt: &str) -> Value {
    let mut body = json!({"prompt": prompt});
    if let Some(chat_id) = chat_id {
        body["chat_id"] = json!(chat_id);
    }
    let response = app.post("/chat", Some(token), &body).await;
    let status = response.status();
    let turn: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{prompt}: {turn}");
    turn
}

/// The texts of a turn's `memories.used` or `memories.saved`.
fn texts(turn: &Value, list: &str) -> Vec<String> {
    turn["memories"][list]
        .as_array()
        .unwrap_or_else(|| panic!("memories.{list} missing: {turn}"))
        .iter()
        .map(|p| p["text"].as_str().unwrap_or_default().to_lowercase())
        .collect()
}

/// The system messages of the last request the upstream received, joined.
async fn last_system(app: &TestApp) -> String {
    let requests = app.upstream.received_requests().await.unwrap_or_default();
    let last = requests
        .iter()
        .rev()
        .find(|r| r.url.path() == COMPLETIONS)
        .expect("the upstream was called");
    let body: Value = serde_json::from_slice(&last.body).expect("upstream body");
    body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "system")
        .map(|m| m["content"].as_str().unwrap_or_default().to_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `GET /user/preferences` items.
async fn preferences(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get("/user/preferences", Some(token)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("preference list");
    body["items"].as_array().expect("items").clone()
}

/// The lower-cased texts of the active preferences.
async fn preference_texts(app: &TestApp, token: &str) -> Vec<String> {
    preferences(app, token)
        .await
        .iter()
        .map(|p| p["text"].as_str().unwrap_or_default().to_lowercase())
        .collect()
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

/// `POST /messages/search`; asserts 200 and returns the hits.
pub(crate) async fn search(app: &TestApp, token: &str, body: &Value) -> Vec<Value> {
    let response = app.post("/messages/search", Some(token), body).await;
    let status = response.status();
    let hits: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{body}: {hits}");
    hits["items"].as_array().expect("items").clone()
}

/// Searches until `done` holds for the hits (messages are indexed after the response,
/// in the background), failing after a deadline.
pub(crate) async fn search_until(
    app: &TestApp,
    token: &str,
    body: &Value,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let hits = search(app, token, body).await;
        if done(&hits) {
            return hits;
        }
        assert!(
            Instant::now() < deadline,
            "search never satisfied: {body} -> {hits:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether any hit's content contains `needle`.
pub(crate) fn found(hits: &[Value], needle: &str) -> bool {
    hits.iter()
        .any(|h| h["content"].as_str().is_some_and(|c| c.contains(needle)))
}
