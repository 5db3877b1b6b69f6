//! Shared helpers of the chat tests: upstream replies in OpenRouter's shapes, prompts,
//! the requests the upstream received, and reading server-sent events.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::TestApp;

pub(crate) const COMPLETIONS: &str = "/api/v1/chat/completions";
pub(crate) const KEY: &str = "sk-or-v1-test-key-a1b2";

/// A whole OpenAI-style answer.
pub(crate) fn completion(content: &str, model: &str, usage: (u64, u64)) -> Value {
    json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": usage.0, "completion_tokens": usage.1,
                  "total_tokens": usage.0 + usage.1}
    })
}

/// One stream chunk carrying `content`.
pub(crate) fn chunk(content: &str) -> String {
    let chunk = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]});
    format!("data: {chunk}\n\n")
}

/// The last chunk: finish reason and usage.
pub(crate) fn final_chunk(usage: (u64, u64)) -> String {
    let chunk = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": usage.0, "completion_tokens": usage.1,
                  "total_tokens": usage.0 + usage.1}});
    format!("data: {chunk}\n\n")
}

/// A whole upstream stream of `deltas`, ending with usage and `[DONE]`.
pub(crate) fn sse_body(deltas: &[&str], usage: (u64, u64)) -> String {
    let mut body = String::from(": OPENROUTER PROCESSING\n\n");
    for delta in deltas {
        body.push_str(&chunk(delta));
    }
    body.push_str(&final_chunk(usage));
    body.push_str("data: [DONE]\n\n");
    body
}

/// Mounts a whole answer for every call.
pub(crate) async fn answer(upstream: &MockServer, content: &str, usage: (u64, u64)) {
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(
            content,
            "openai/gpt-4o-mini",
            usage,
        )))
        .mount(upstream)
        .await;
}

/// Mounts a streamed answer for every call.
pub(crate) async fn answer_stream(upstream: &MockServer, body: String) {
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(upstream)
        .await;
}

/// The JSON bodies the upstream received, oldest first.
pub(crate) async fn upstream_bodies(upstream: &MockServer) -> Vec<Value> {
    upstream
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|request| request.url.path() == COMPLETIONS)
        .map(|request| serde_json::from_slice(&request.body).expect("upstream body is JSON"))
        .collect()
}

pub(crate) async fn upstream_calls(upstream: &MockServer) -> usize {
    upstream_bodies(upstream).await.len()
}

/// A registered user with an OpenRouter key; returns the access token.
pub(crate) async fn user(app: &TestApp) -> String {
    let name = format!("u{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    app.user(&name, Some(KEY)).await
}

/// `POST /chat` with `body`; returns status, headers and JSON (Null if not JSON).
pub(crate) async fn prompt(
    app: &TestApp,
    token: &str,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = app.post("/chat", Some(token), body).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let json = response.json().await.unwrap_or(Value::Null);
    (status, headers, json)
}

/// Starts a new chat with `text`, answered by whatever is mounted; returns its id.
pub(crate) async fn new_chat(app: &TestApp, token: &str, text: &str) -> String {
    let (status, _, turn) = prompt(app, token, &json!({"prompt": text})).await;
    assert_eq!(status, 200, "{turn}");
    turn["chat_id"].as_str().expect("chat_id").to_owned()
}

/// `GET /chat`; returns status, the `X-Cache` header and the JSON body.
pub(crate) async fn history(app: &TestApp, token: &str, query: &str) -> (u16, String, Value) {
    let response = app.get(&format!("/chat?{query}"), Some(token)).await;
    status_cache_json(response).await
}

/// A read's status, its `X-Cache` header (empty when absent) and its JSON (null when
/// not JSON).
pub(crate) async fn status_cache_json(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, cache, response.json().await.unwrap_or(Value::Null))
}

/// The error code of an error body.
pub(crate) fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// A parsed server-sent event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) data: Value,
}

/// Splits a whole `text/event-stream` body into events.
pub(crate) fn parse_events(body: &str) -> Vec<Event> {
    body.split("\n\n")
        .filter_map(|frame| {
            let mut name = None;
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = Some(value.trim().to_owned());
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            Some(Event {
                name: name?,
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// `POST /chat` streamed; checks the content type and returns the events.
pub(crate) async fn stream_prompt(app: &TestApp, token: &str, body: &Value) -> Vec<Event> {
    let response = app.post("/chat", Some(token), body).await;
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    parse_events(&response.text().await.expect("stream body"))
}

/// Whether the app's Redis holds `key` (under the app's prefix).
pub(crate) async fn redis_has(app: &TestApp, key: &str) -> bool {
    use fred::prelude::*;
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let redis = Builder::from_config(Config::from_url(&url).expect("redis url"))
        .build()
        .expect("redis client");
    redis.init().await.expect("redis up");
    let found: i64 = redis
        .exists(format!("{}{key}", app.redis_prefix))
        .await
        .expect("EXISTS");
    let _ = redis.quit().await;
    found == 1
}

/// A tiny OpenAI-style server that streams `deltas` one every `pace`, so a client can
/// leave in the middle. Answers every connection; returns its base URL and the count
/// of requests it received.
pub(crate) async fn paced_upstream(
    deltas: Vec<String>,
    pace: Duration,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let deltas = deltas.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                // Read the request head and body (the body is small, one or two reads).
                let mut request = Vec::new();
                let mut buffer = [0_u8; 8192];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    let Ok(n) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..n]);
                }
                if !request.starts_with(b"POST ") {
                    // The key check when a key is set: every key is known.
                    let known =
                        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
                    let _ = socket.write_all(known.as_bytes()).await;
                    return;
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                            transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let pieces = deltas
                    .iter()
                    .map(|d| chunk(d))
                    .chain([final_chunk((5, 5)), "data: [DONE]\n\n".to_owned()]);
                for frame in pieces {
                    let framed = format!("{:x}\r\n{frame}\r\n", frame.len());
                    if socket.write_all(framed.as_bytes()).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(pace).await;
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    (format!("http://{address}/api/v1"), calls)
}
