//! Whole replies and stream chunks as OpenRouter and other servers really send them.

use serde_json::json;

use super::*;

fn key() -> SecretString {
    SecretString::from("sk-or-v1-secret")
}

fn chunk(value: &serde_json::Value) -> String {
    value.to_string()
}

#[test]
fn whole_reply_with_usage_and_model() {
    let body = json!({
        "id": "gen-1", "model": "openai/gpt-4o-mini", "object": "chat.completion",
        "choices": [{"message": {"role": "assistant", "content": "Olá!"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}
    });
    // OpenRouter pads non-streamed replies with whitespace while the model works.
    let padded = format!("\n\n   {body}");
    let completion = completion(padded.as_bytes(), &key()).unwrap();
    assert_eq!(completion.content, "Olá!");
    assert_eq!(completion.model.unwrap().as_str(), "openai/gpt-4o-mini");
    assert_eq!(completion.usage.total_tokens, 12);
}

#[test]
fn whole_reply_failures() {
    let with_error = json!({"error": {"code": 402, "message": "Insufficient credits"}});
    assert!(matches!(
        completion(with_error.to_string().as_bytes(), &key()),
        Err(LlmError::InsufficientCredits)
    ));
    let no_choice = json!({"choices": []});
    assert!(matches!(
        completion(no_choice.to_string().as_bytes(), &key()),
        Err(LlmError::Upstream(_))
    ));
    let failed = json!({"choices": [{"message": {"content": ""}, "finish_reason": "error"}]});
    assert!(completion(failed.to_string().as_bytes(), &key()).is_err());
    assert!(matches!(
        completion(b"<html>502 Bad Gateway</html>", &key()),
        Err(LlmError::Upstream(text)) if text.contains("malformed")
    ));
}

#[test]
fn stream_of_deltas_then_usage_then_done() {
    let mut decoder = ChunkDecoder::new(key());
    let role = json!({"model": "m/x", "choices": [{"delta": {"role": "assistant"}}]});
    assert_eq!(decoder.data(&chunk(&role)).unwrap(), Step::Nothing);
    let text = json!({"model": "m/x", "choices": [{"delta": {"content": "Olá"}}], "usage": null});
    assert_eq!(
        decoder.data(&chunk(&text)).unwrap(),
        Step::Delta("Olá".into())
    );
    let stop = json!({"choices": [{"delta": {"content": "!"}, "finish_reason": "stop"}]});
    assert_eq!(
        decoder.data(&chunk(&stop)).unwrap(),
        Step::Delta("!".into())
    );
    let usage = json!({"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}});
    assert_eq!(decoder.data(&chunk(&usage)).unwrap(), Step::Nothing);
    let Step::Done(StreamEvent::Finished { model, usage, .. }) = decoder.data(" [DONE] ").unwrap()
    else {
        panic!("[DONE] must finish the stream");
    };
    assert_eq!(model.unwrap().as_str(), "m/x");
    assert_eq!(usage.unwrap().total_tokens, 6);
}

#[test]
fn missing_done_finishes_only_when_the_answer_was_whole() {
    let mut whole = ChunkDecoder::new(key());
    let stop = json!({"choices": [{"delta": {"content": "a"}, "finish_reason": "stop"}]});
    whole.data(&chunk(&stop)).unwrap();
    assert!(matches!(
        whole.end_of_input(),
        Ok(StreamEvent::Finished { usage: None, .. })
    ));

    let mut cut = ChunkDecoder::new(key());
    let text = json!({"choices": [{"delta": {"content": "half an ans"}}]});
    cut.data(&chunk(&text)).unwrap();
    assert!(matches!(cut.end_of_input(), Err(LlmError::Upstream(_))));
    assert!(ChunkDecoder::new(key()).end_of_input().is_err());
}

#[test]
fn mid_stream_errors_map_like_statuses() {
    let mut decoder = ChunkDecoder::new(key());
    let openrouter = json!({
        "error": {"code": "server_error", "message": "Provider disconnected unexpectedly"},
        "choices": [{"delta": {"content": ""}, "finish_reason": "error"}]
    });
    assert!(matches!(
        decoder.data(&chunk(&openrouter)),
        Err(LlmError::Upstream(text)) if text.contains("Provider disconnected")
    ));
    let limited = json!({"error": {"code": 429, "message": "slow down"}});
    assert!(matches!(
        ChunkDecoder::new(key()).data(&chunk(&limited)),
        Err(LlmError::RateLimited { .. })
    ));
    let bare = json!({"choices": [{"delta": {}, "finish_reason": "error"}]});
    assert!(ChunkDecoder::new(key()).data(&chunk(&bare)).is_err());
}

#[test]
fn garbage_is_a_clear_error_without_the_key() {
    let mut decoder = ChunkDecoder::new(key());
    let garbage = format!("not json {}", "sk-or-v1-secret");
    let Err(LlmError::Upstream(text)) = decoder.data(&garbage) else {
        panic!("garbage must fail");
    };
    assert!(text.contains("malformed stream data"));
    assert!(!text.contains("sk-or-v1-secret"));
}
