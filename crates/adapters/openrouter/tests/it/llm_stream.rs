//! Streamed answers: tolerant SSE, usage, endings with and without `[DONE]`, errors in
//! the stream, and the chunk-gap and total deadlines.

use std::time::Duration;

use polychat_domain::ports::{LlmError, LlmProvider, StreamEvent};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{client, collect, config, delta, paced_server, request, split};

const ENDPOINT: &str = "/api/v1/chat/completions";

fn sse(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

fn usage_chunk() -> String {
    let chunk = json!({
        "id": "gen-1", "object": "chat.completion.chunk", "created": 1,
        "model": "openai/gpt-4o-mini", "choices": [],
        "usage": {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24}
    });
    format!("data: {chunk}\n\n")
}

fn stop_chunk() -> String {
    let chunk = json!({"model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    format!("data: {chunk}\n\n")
}

async fn stream_from(body: String) -> Vec<Result<StreamEvent, LlmError>> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(sse(body))
        .expect(1)
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let stream = client(&config(&base)).stream(request()).await.unwrap();
    collect(stream).await
}

#[tokio::test]
async fn comments_crlf_deltas_usage_and_done() {
    let server = MockServer::start().await;
    let body = [
        ": OPENROUTER PROCESSING\n\n".to_owned(),
        ": OPENROUTER PROCESSING\r\n\r\n".to_owned(),
        delta("Olá").replace("\n\n", "\r\n\r\n"),
        delta(", dev"),
        "data: {\"choices\":[{\"delta\":\n".to_owned() + "data: {\"content\":\"!\"}}]}\n\n",
        stop_chunk(),
        usage_chunk(),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(body_partial_json(json!({
            "stream": true, "stream_options": {"include_usage": true}
        })))
        .respond_with(sse(body))
        .expect(1)
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let stream = client(&config(&base)).stream(request()).await.unwrap();
    let (text, end) = split(collect(stream).await);
    assert_eq!(text, "Olá, dev!");
    let StreamEvent::Finished { model, usage, .. } = end.unwrap() else {
        panic!("expected Finished");
    };
    assert_eq!(model.unwrap().as_str(), "openai/gpt-4o-mini");
    assert_eq!(usage.unwrap().total_tokens, 24);
}

#[tokio::test]
async fn missing_done_after_a_whole_answer_finishes_normally() {
    let events = stream_from([delta("done"), stop_chunk(), usage_chunk()].concat()).await;
    let (text, end) = split(events);
    assert_eq!(text, "done");
    assert!(matches!(
        end,
        Ok(StreamEvent::Finished { usage: Some(_), .. })
    ));
}

#[tokio::test]
async fn missing_done_mid_answer_is_an_error_after_the_text() {
    let (text, end) = split(stream_from([delta("half an "), delta("answ")].concat()).await);
    assert_eq!(text, "half an answ");
    assert!(matches!(end, Err(LlmError::Upstream(_))), "{end:?}");
}

#[tokio::test]
async fn mid_stream_error_objects_end_the_stream() {
    let failure = json!({"error": {"code": "server_error", "message": "Provider disconnected"},
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]});
    let body = [
        delta("partial"),
        format!("data: {failure}\n\n"),
        delta("never"),
    ]
    .concat();
    let (text, end) = split(stream_from(body).await);
    assert_eq!(text, "partial");
    assert!(
        matches!(&end, Err(LlmError::Upstream(message)) if message.contains("Provider disconnected")),
        "{end:?}"
    );

    let credits = json!({"error": {"code": 402, "message": "out of credits"}});
    let (_, end) = split(stream_from(format!("data: {credits}\n\n")).await);
    assert!(matches!(end, Err(LlmError::InsufficientCredits)), "{end:?}");
}

#[tokio::test]
async fn garbage_is_a_clear_error() {
    let (text, end) =
        split(stream_from([delta("ok"), "data: <html>oops\n\n".to_owned()].concat()).await);
    assert_eq!(text, "ok");
    assert!(
        matches!(&end, Err(LlmError::Upstream(message)) if message.contains("malformed")),
        "{end:?}"
    );
}

#[tokio::test]
async fn errors_before_the_first_byte_come_back_from_stream_and_5xx_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sse([
            delta("hi"),
            stop_chunk(),
            "data: [DONE]\n\n".to_owned(),
        ]
        .concat()))
        .with_priority(2)
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let (text, end) = split(collect(client(&config(&base)).stream(request()).await.unwrap()).await);
    assert_eq!((text.as_str(), end.is_ok()), ("hi", true));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let result = client(&config(&base)).stream(request()).await;
    assert!(matches!(result, Err(LlmError::Unauthorized)));
}

#[tokio::test]
async fn a_json_reply_to_a_stream_request_is_handled() {
    let server = MockServer::start().await;
    let error = json!({"error": {"code": 429, "message": "slow down"}});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(error))
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let result = client(&config(&base)).stream(request()).await;
    assert!(matches!(result, Err(LlmError::RateLimited { .. })));
}

#[tokio::test]
async fn a_silent_gap_between_chunks_times_out() {
    let pieces = vec![
        (Duration::ZERO, delta("first")),
        (Duration::from_secs(3), delta("too late")),
    ];
    let base = paced_server(pieces).await;
    let mut config = config(&base);
    config.chunk_gap_timeout = Duration::from_millis(300);
    let stream = client(&config).stream(request()).await.unwrap();
    let (text, end) = split(collect(stream).await);
    assert_eq!(text, "first");
    assert!(matches!(end, Err(LlmError::Timeout)), "{end:?}");
}

#[tokio::test]
async fn keep_alives_do_not_outlast_the_total_deadline() {
    let mut pieces = vec![(Duration::ZERO, delta("a"))];
    pieces.extend((0..40).map(|_| (Duration::from_millis(100), ": keep-alive\n\n".to_owned())));
    pieces.push((
        Duration::ZERO,
        [stop_chunk(), "data: [DONE]\n\n".to_owned()].concat(),
    ));
    let base = paced_server(pieces).await;
    let mut config = config(&base);
    config.chunk_gap_timeout = Duration::from_secs(1);
    config.total_timeout = Duration::from_millis(800);
    let started = std::time::Instant::now();
    let stream = client(&config).stream(request()).await.unwrap();
    let (text, end) = split(collect(stream).await);
    assert_eq!(text, "a");
    assert!(matches!(end, Err(LlmError::Timeout)), "{end:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}
