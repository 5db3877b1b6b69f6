//! Every answer shape read by `stream`: n8n's JSON lines and OpenAI event streams as
//! deltas in order, a whole answer as one delta then `Finished`, and errors before or
//! after the first content.

use std::time::Duration;

use polychat_domain::ports::{LlmError, StreamEvent, WebhookCaller};
use serde_json::json;

use crate::support::{Fake, Reply, chat_call, client, collect, endpoint, line, split, sse_delta};

const MS: Duration = Duration::from_millis(25);

async fn stream(reply: Reply) -> Vec<Result<StreamEvent, LlmError>> {
    let fake = Fake::start(reply).await;
    let stream = client()
        .stream(&endpoint(&fake.url()), &chat_call(true))
        .await
        .unwrap();
    collect(stream).await
}

fn finished(last: Result<StreamEvent, LlmError>) -> (u64, u64, Option<String>) {
    match last {
        Ok(StreamEvent::Finished {
            model: None,
            usage: Some(usage),
            finish_reason,
        }) => (usage.prompt_tokens, usage.completion_tokens, finish_reason),
        other => panic!("expected Finished with usage and no model, got {other:?}"),
    }
}

#[tokio::test]
async fn json_lines_become_deltas_in_order() {
    let begin = line("begin", "");
    let hello = line("item", "Hello");
    let (hel, lo) = hello.split_at(12);
    let world = line("item", ", world!");
    let end = line("end", "");
    let reply = Reply::paced(
        "application/json",
        vec![
            (Duration::ZERO, begin.as_str()),
            (MS, hel),
            (MS, lo),
            (MS, world.as_str()),
            (MS, end.as_str()),
        ],
    );
    let (deltas, last) = split(stream(reply).await);
    assert_eq!(deltas, ["Hello", ", world!"]);
    let (_, completion_tokens, finish_reason) = finished(last);
    assert_eq!(completion_tokens, 4, "counted with the tokenizer");
    assert_eq!(finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn json_lines_sent_as_text_plain_are_still_a_stream() {
    let body = [
        line("begin", ""),
        line("item", "a"),
        line("item", "b"),
        line("end", ""),
    ]
    .concat();
    let (deltas, last) = split(stream(Reply::new(200, "text/plain", body)).await);
    assert_eq!(deltas, ["a", "b"]);
    finished(last);
}

#[tokio::test]
async fn sse_chunks_become_deltas_with_their_usage() {
    let usage = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],\
                 \"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n";
    let reply = Reply::paced(
        "text/event-stream",
        vec![
            (Duration::ZERO, ": keep-alive\n\n"),
            (MS, &sse_delta("One")),
            (MS, &sse_delta(" two")),
            (MS, &sse_delta(" three")),
            (MS, usage),
            (MS, "data: [DONE]\n\n"),
        ],
    );
    let (deltas, last) = split(stream(reply).await);
    assert_eq!(deltas, ["One", " two", " three"]);
    assert_eq!(finished(last), (9, 3, Some("length".to_owned())));
}

#[tokio::test]
async fn a_whole_answer_asked_to_stream_is_one_delta_then_finished() {
    let events = stream(Reply::json(&json!({
        "object": "chat.completion",
        "choices": [{"message": {"role": "assistant", "content": "All at once."},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
    })))
    .await;
    assert_eq!(events.len(), 2, "{events:?}");
    let (deltas, last) = split(events);
    assert_eq!(deltas, ["All at once."]);
    assert_eq!(finished(last), (5, 4, Some("stop".to_owned())));

    let (deltas, last) = split(stream(Reply::new(200, "text/plain", "Plain.")).await);
    assert_eq!(deltas, ["Plain."]);
    finished(last);
}

#[tokio::test]
async fn an_error_line_mid_stream_ends_the_stream_with_upstream() {
    let reply = Reply::paced(
        "application/json",
        vec![
            (Duration::ZERO, &line("begin", "")),
            (MS, &line("item", "Partial")),
            (MS, &line("error", "Workflow failed: node X")),
            (MS, &line("item", "never")),
        ],
    );
    let (deltas, last) = split(stream(reply).await);
    assert_eq!(deltas, ["Partial"]);
    match last {
        Err(LlmError::Upstream(message)) => {
            assert_eq!(
                message,
                "the webhook reported an error: Workflow failed: node X"
            );
        }
        other => panic!("expected an upstream error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_error_line_before_any_content_is_the_error_of_the_call() {
    let reply = Reply::paced(
        "application/json",
        vec![
            (Duration::ZERO, &line("begin", "")),
            (MS, &line("error", "no credentials")),
        ],
    );
    let fake = Fake::start(reply).await;
    let result = client()
        .stream(&endpoint(&fake.url()), &chat_call(true))
        .await;
    match result {
        Err(LlmError::Upstream(message)) => assert!(message.contains("no credentials")),
        Err(other) => panic!("expected an upstream error, got {other:?}"),
        Ok(_) => panic!("expected the call to fail"),
    }
}

#[tokio::test]
async fn a_gap_between_chunks_longer_than_the_timeout_is_a_timeout_in_the_stream() {
    let reply = Reply::paced(
        "application/json",
        vec![
            (Duration::ZERO, &line("item", "first")),
            (Duration::from_millis(1500), &line("item", "late")),
        ],
    );
    let fake = Fake::start(reply).await;
    let mut endpoint = endpoint(&fake.url());
    endpoint.timeout = Duration::from_millis(300);
    let stream = client().stream(&endpoint, &chat_call(true)).await.unwrap();
    let (deltas, last) = split(collect(stream).await);
    assert_eq!(deltas, ["first"]);
    assert!(matches!(last, Err(LlmError::Timeout)), "{last:?}");
}

#[tokio::test]
async fn a_stream_cut_short_keeps_what_came_and_an_empty_one_fails() {
    // No `end` line: what arrived is the answer.
    let body = [line("begin", ""), line("item", "Half")].concat();
    let (deltas, last) = split(stream(Reply::new(200, "application/json", body)).await);
    assert_eq!(deltas, ["Half"]);
    finished(last);

    // Only `begin`, then the body ends: no answer.
    let fake = Fake::start(Reply::new(200, "application/json", line("begin", ""))).await;
    let result = client()
        .stream(&endpoint(&fake.url()), &chat_call(true))
        .await
        .map(|_| ());
    match result {
        Err(LlmError::Upstream(message)) => {
            assert_eq!(message, "the webhook's stream ended without an answer");
        }
        other => panic!("expected an upstream error, got {other:?}"),
    }

    // `begin` then `end`: an empty answer, said so.
    let body = [line("begin", ""), line("end", "")].concat();
    let events = stream(Reply::new(200, "application/json", body)).await;
    assert_eq!(events.len(), 1);
    let (deltas, last) = split(events);
    assert!(deltas.is_empty());
    finished(last);
}
