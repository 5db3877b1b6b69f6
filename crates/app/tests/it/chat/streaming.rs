//! Streamed answers: `meta`, `delta`s and `done` (or `error`), a tolerant reading of
//! the upstream's stream, and an answer stored whole after the client went away.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{
    COMPLETIONS, Event, answer_stream, chunk, final_chunk, history, sse_body, stream_prompt,
    upstream_bodies, user,
};
use crate::harness::TestApp;

fn names(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.name.as_str()).collect()
}

#[tokio::test]
async fn a_streamed_answer_is_meta_deltas_then_the_turn() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer_stream(
        &app.upstream,
        sse_body(&["Hel", "lo, ", "world", "!"], (9, 4)),
    )
    .await;

    let events = stream_prompt(
        &app,
        &token,
        &json!({"prompt": "Say hello", "stream": true}),
    )
    .await;
    let kinds = names(&events);
    assert_eq!(kinds.first(), Some(&"meta"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"done"), "{kinds:?}");
    assert!(kinds[1..kinds.len() - 1].iter().all(|k| *k == "delta"));
    let text: String = events
        .iter()
        .filter(|e| e.name == "delta")
        .map(|e| e.data["content"].as_str().unwrap())
        .collect();
    assert_eq!(text, "Hello, world!");
    assert!(events.iter().filter(|e| e.name == "delta").count() >= 2);

    let meta = &events[0].data;
    let done = &events.last().unwrap().data;
    assert_eq!(done["chat_id"], meta["chat_id"]);
    assert_eq!(done["message"]["id"], meta["message_id"]);
    assert_eq!(done["message"]["role"], "assistant");
    assert_eq!(done["message"]["content"], "Hello, world!");
    assert_eq!(done["message"]["model"], "openai/gpt-4o-mini");
    let usage = json!({"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13});
    assert_eq!(done["message"]["usage"], usage);
    assert_eq!(done["usage_total"], usage);
    assert!(done["memories"]["used"].is_array() && done["memories"]["saved"].is_array());

    let sent = upstream_bodies(&app.upstream).await;
    assert_eq!(sent[0]["stream"], true);

    let chat = meta["chat_id"].as_str().unwrap();
    let (_, _, stored) = history(&app, &token, &format!("chat_id={chat}")).await;
    let last = &stored["messages"][1];
    assert_eq!(last["id"], meta["message_id"]);
    assert_eq!(last["content"], "Hello, world!");
    assert_eq!(last["status"], "complete");
    assert_eq!(stored["usage_total"], usage);
}

#[tokio::test]
async fn accept_event_stream_asks_for_a_stream_too() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer_stream(&app.upstream, sse_body(&["a", "b"], (1, 2))).await;

    let response = app
        .client
        .post(app.url("/chat"))
        .bearer_auth(&token)
        .header("Accept", "text/event-stream")
        .json(&json!({"prompt": "Stream please"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = super::support::parse_events(&response.text().await.unwrap());
    assert_eq!(names(&events), ["meta", "delta", "delta", "done"]);
}

#[tokio::test]
async fn a_stream_without_done_marker_still_completes() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let mut body = String::new();
    body.push_str(": OPENROUTER PROCESSING\n\n");
    body.push_str(&chunk("No "));
    body.push_str(": OPENROUTER PROCESSING\n\n");
    body.push_str(&chunk("marker"));
    body.push_str(&final_chunk((2, 2)));
    answer_stream(&app.upstream, body).await;

    let events = stream_prompt(&app, &token, &json!({"prompt": "Go", "stream": true})).await;
    let done = events.last().unwrap();
    assert_eq!(done.name, "done", "{events:?}");
    assert_eq!(done.data["message"]["content"], "No marker");
}

#[tokio::test]
async fn an_upstream_failure_is_an_error_event_and_an_error_message() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(
            ResponseTemplate::new(402)
                .set_body_json(json!({"error": {"code": 402, "message": "Insufficient credits"}})),
        )
        .mount(&app.upstream)
        .await;

    let events = stream_prompt(&app, &token, &json!({"prompt": "Broke", "stream": true})).await;
    assert_eq!(names(&events), ["meta", "error"]);
    let error = &events[1].data;
    assert_eq!(error["code"], "upstream_insufficient_credits");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));

    let chat = events[0].data["chat_id"].as_str().unwrap();
    let (_, _, stored) = history(&app, &token, &format!("chat_id={chat}")).await;
    let messages = stored["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{stored}");
    assert_eq!(messages[0]["content"], "Broke");
    assert_eq!(messages[1]["status"], "error");
}

#[tokio::test]
async fn a_stream_error_midway_keeps_what_arrived_as_incomplete() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let failure = json!({"error": {"code": 502, "message": "Provider disconnected"}});
    let body = format!(
        "{}{}data: {failure}\n\n",
        chunk("Half "),
        chunk("an answer")
    );
    answer_stream(&app.upstream, body).await;

    let events = stream_prompt(&app, &token, &json!({"prompt": "Go", "stream": true})).await;
    assert_eq!(names(&events), ["meta", "delta", "delta", "error"]);
    assert_eq!(events[3].data["code"], "upstream_error");
    let chat = events[0].data["chat_id"].as_str().unwrap();
    let (_, _, stored) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(stored["messages"][1]["content"], "Half an answer");
    assert_eq!(stored["messages"][1]["status"], "incomplete");
}

#[tokio::test]
async fn a_client_that_leaves_midway_still_gets_the_whole_answer_stored() {
    let deltas: Vec<String> = (0..10).map(|i| format!("part{i} ")).collect();
    let expected: String = deltas.concat();
    let (base, _) = super::support::paced_upstream(deltas, Duration::from_millis(200)).await;
    let app = TestApp::spawn_with(&[("OPENROUTER_BASE_URL", base.as_str())]).await;
    let token = user(&app).await;

    let mut response = app
        .client
        .post(app.url("/chat"))
        .bearer_auth(&token)
        .json(&json!({"prompt": "Talk slowly", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut received = String::new();
    while !received.contains("event: delta") {
        let bytes = response.chunk().await.unwrap().expect("stream ended early");
        received.push_str(&String::from_utf8_lossy(&bytes));
    }
    let meta = super::support::parse_events(&received);
    let chat = meta[0].data["chat_id"].as_str().unwrap().to_owned();
    drop(response);

    let query = format!("chat_id={chat}");
    let (_, _, early) = history(&app, &token, &query).await;
    assert_ne!(
        early["messages"][1]["status"], "complete",
        "the answer was not still being generated: {early}"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let last: Value = loop {
        let (status, _, body) = history(&app, &token, &query).await;
        assert_eq!(status, 200);
        if body["messages"][1]["status"] == "complete" {
            break body["messages"][1].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never completed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(last["content"], expected);
    assert_eq!(last["usage"]["total_tokens"], 10);
}

#[tokio::test]
async fn a_stream_that_never_starts_is_an_upstream_timeout_event() {
    let app = TestApp::spawn_with(&[("LLM_TIMEOUT_SECONDS", "1")]).await;
    let token = user(&app).await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sse_body(&["too late"], (1, 1)), "text/event-stream")
                .set_delay(Duration::from_secs(4)),
        )
        .mount(&app.upstream)
        .await;

    let events = stream_prompt(&app, &token, &json!({"prompt": "Hurry", "stream": true})).await;
    assert_eq!(names(&events), ["meta", "error"]);
    assert_eq!(events[1].data["code"], "upstream_timeout");
    let chat = events[0].data["chat_id"].as_str().unwrap();
    let (_, _, stored) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(stored["messages"][0]["content"], "Hurry");
    assert_eq!(stored["messages"][1]["status"], "error");
}
