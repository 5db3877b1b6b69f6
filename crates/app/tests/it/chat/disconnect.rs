//! Clients that give up before the answer: the answer is still stored whole, and an
//! `Idempotency-Key` retry gets it instead of a second model call or a stuck key.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{COMPLETIONS, completion, history, paced_upstream, parse_events, user};
use crate::harness::TestApp;

/// Polls the chat until its last message is complete; returns that message.
async fn wait_complete(app: &TestApp, token: &str, chat: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, body) = history(app, token, &format!("chat_id={chat}")).await;
        assert_eq!(status, 200, "{body}");
        let last = body["messages"]
            .as_array()
            .expect("messages")
            .last()
            .cloned();
        if let Some(last) = last.filter(|m| m["role"] == "assistant" && m["status"] == "complete") {
            return last;
        }
        assert!(
            Instant::now() < deadline,
            "the answer was never stored: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_streamed_retry_after_a_disconnect_replays_the_stored_answer() {
    let deltas: Vec<String> = (0..8).map(|i| format!("w{i} ")).collect();
    let expected = deltas.concat();
    let (base, calls) = paced_upstream(deltas, Duration::from_millis(150)).await;
    let app = TestApp::spawn_with(&[("OPENROUTER_BASE_URL", base.as_str())]).await;
    let token = user(&app).await;
    let send = || {
        app.client
            .post(app.url("/chat"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "flaky-network")
            .json(&json!({"prompt": "Talk slowly", "stream": true}))
            .send()
    };

    let mut response = send().await.unwrap();
    let mut received = String::new();
    while !received.contains("event: delta") {
        let bytes = response.chunk().await.unwrap().expect("stream ended early");
        received.push_str(&String::from_utf8_lossy(&bytes));
    }
    let chat = parse_events(&received)[0].data["chat_id"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(response);
    let stored = wait_complete(&app, &token, &chat).await;
    assert_eq!(stored["content"], expected);

    // The key is completed just after the answer is stored: a retry in between is told
    // the request is still running (409), never left stuck there.
    let deadline = Instant::now() + Duration::from_secs(5);
    let retry = loop {
        let retry = send().await.unwrap();
        if retry.status() != 409 || Instant::now() > deadline {
            break retry;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let status = retry.status();
    let text = retry.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    let events = parse_events(&text);
    let done = events.last().expect("events");
    assert_eq!(done.name, "done", "{events:?}");
    assert_eq!(done.data["chat_id"], chat);
    assert_eq!(done.data["message"]["content"], expected);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the model was called again"
    );
}

#[tokio::test]
async fn a_whole_answer_is_stored_after_the_client_gave_up() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(completion("Worth the wait.", "m/slow", (2, 3)))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&app.upstream)
        .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let send = |client: &reqwest::Client| {
        client
            .post(app.url("/chat"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "gave-up")
            .json(&json!({"prompt": "Take your time"}))
            .send()
    };
    assert!(
        send(&impatient).await.is_err(),
        "the client should have timed out"
    );

    let list: Value = app.get("/chats", Some(&token)).await.json().await.unwrap();
    let chat = list["items"][0]["chat_id"].as_str().unwrap().to_owned();
    let stored = wait_complete(&app, &token, &chat).await;
    assert_eq!(stored["content"], "Worth the wait.");

    let retry = send(&app.client).await.unwrap();
    assert_eq!(retry.status(), 200);
    let turn: Value = retry.json().await.unwrap();
    assert_eq!(turn["chat_id"], chat);
    assert_eq!(turn["message"]["content"], "Worth the wait.");
    assert_eq!(super::support::upstream_calls(&app.upstream).await, 1);
}
