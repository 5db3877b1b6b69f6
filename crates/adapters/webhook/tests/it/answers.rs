//! Every answer shape read by `complete`: OpenAI objects, n8n output objects and
//! arrays, plain text, and the streaming shapes collected into one completion. Usage
//! comes from the answer, or is counted with the tokenizer.

use std::time::Duration;

use polychat_domain::Usage;
use polychat_domain::ports::{Completion, WebhookCaller};
use serde_json::json;

use crate::support::{Fake, Reply, chat_call, client, endpoint, line, sse_delta};

async fn complete(reply: Reply) -> Completion {
    let fake = Fake::start(reply).await;
    client()
        .complete(&endpoint(&fake.url()), &chat_call(false))
        .await
        .unwrap()
}

/// What the tokenizer counts for the test call's prompt ("Be brief." is 3 tokens and
/// "Hello, world!" 4 in `o200k_base`; 4 per message and 3 for the reply's start).
const PROMPT_TOKENS: u64 = (3 + 4) + (4 + 4) + 3;

#[tokio::test]
async fn an_openai_chat_completion() {
    let completion = complete(Reply::json(&json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there."},
                     "finish_reason": "length"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    })))
    .await;
    assert_eq!(completion.content, "Hi there.");
    assert_eq!(completion.finish_reason.as_deref(), Some("length"));
    assert_eq!(
        completion.usage,
        Usage {
            prompt_tokens: 11,
            completion_tokens: 3,
            total_tokens: 14,
            estimated: false,
        }
    );
    // The domain names the slug, not the webhook.
    assert_eq!(completion.model, None);
}

#[tokio::test]
async fn an_openai_text_completion() {
    let completion = complete(Reply::json(&json!({
        "object": "text_completion",
        "choices": [{"index": 0, "text": " there was a fox.", "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9}
    })))
    .await;
    assert_eq!(completion.content, " there was a fox.");
    assert_eq!(completion.usage.total_tokens, 9);
}

#[tokio::test]
async fn an_output_object_gets_counted_usage_and_stop() {
    let completion = complete(Reply::json(&json!({"output": "Hello, world!"}))).await;
    assert_eq!(completion.content, "Hello, world!");
    assert_eq!(completion.finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        completion.usage,
        Usage {
            prompt_tokens: PROMPT_TOKENS,
            completion_tokens: 4,
            total_tokens: PROMPT_TOKENS + 4,
            estimated: true,
        },
        "counted by polychat, and marked so"
    );
}

#[tokio::test]
async fn each_text_field_in_order() {
    for (body, expected) in [
        (json!({"text": "t", "content": "c"}), "t"),
        (json!({"content": "c", "response": "r"}), "c"),
        (json!({"response": "r", "answer": "a"}), "r"),
        (json!({"answer": "a", "message": "m"}), "a"),
        (json!({"message": "m"}), "m"),
        (
            json!({"message": {"role": "assistant", "content": "nested"}}),
            "nested",
        ),
        (json!({"output": "o", "text": "t"}), "o"),
    ] {
        assert_eq!(
            complete(Reply::json(&body)).await.content,
            expected,
            "{body}"
        );
    }
}

#[tokio::test]
async fn an_array_answers_with_its_first_item() {
    let completion = complete(Reply::json(
        &json!([{"output": "first"}, {"output": "second"}]),
    ))
    .await;
    assert_eq!(completion.content, "first");
}

#[tokio::test]
async fn a_plain_text_body() {
    let completion = complete(Reply::new(
        200,
        "text/plain; charset=utf-8",
        "Plain *answer*.\nTwo lines.",
    ))
    .await;
    assert_eq!(completion.content, "Plain *answer*.\nTwo lines.");
    assert_eq!(completion.finish_reason.as_deref(), Some("stop"));
    assert!(completion.usage.completion_tokens > 0);
}

#[tokio::test]
async fn a_json_lines_stream_is_collected() {
    let body = [
        line("begin", ""),
        line("item", "Hello"),
        line("item", ", world!"),
        line("end", ""),
    ]
    .concat();
    let completion = complete(Reply::new(200, "application/json; charset=utf-8", body)).await;
    assert_eq!(completion.content, "Hello, world!");
    assert_eq!(completion.usage.completion_tokens, 4);
    assert_eq!(completion.usage.prompt_tokens, PROMPT_TOKENS);
}

#[tokio::test]
async fn a_paced_json_lines_stream_is_collected() {
    let first = line("item", "Hel");
    let (a, b) = first.split_at(10);
    let reply = Reply::paced(
        "application/x-ndjson",
        vec![
            (Duration::ZERO, a),
            (Duration::from_millis(30), b),
            (Duration::from_millis(30), &line("item", "lo")),
            (Duration::from_millis(30), &line("end", "")),
        ],
    );
    assert_eq!(complete(reply).await.content, "Hello");
}

#[tokio::test]
async fn an_event_stream_is_collected_with_its_usage() {
    let body = [
        sse_delta("Hel"),
        sse_delta("lo"),
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2,\"total_tokens\":10}}\n\n".to_owned(),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let completion = complete(Reply::new(200, "text/event-stream", body)).await;
    assert_eq!(completion.content, "Hello");
    assert_eq!(
        completion.usage,
        Usage {
            prompt_tokens: 8,
            completion_tokens: 2,
            total_tokens: 10,
            estimated: false,
        }
    );
}
