//! Whole (non-streamed) answers: an OpenAI `chat.completion` or `text_completion`
//! object; an object with the text in `output`, `text`, `content`, `response`, `answer`
//! or `message` (or `message.content`), in that order; an array whose first item is one
//! of those; or a `text/plain` body.

use polychat_domain::Usage;
use polychat_domain::ports::LlmError;
use serde_json::Value;

/// The fields whose string is the answer, in the order they are looked for.
const TEXT_FIELDS: [&str; 6] = ["output", "text", "content", "response", "answer", "message"];

/// What a webhook answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Answer {
    pub(crate) content: String,
    /// Usage when the answer reported it.
    pub(crate) usage: Option<Usage>,
    pub(crate) finish_reason: Option<String>,
    pub(crate) tool_calls: Option<Value>,
}

/// Reads a whole body.
pub(crate) fn decode(body: &[u8], content_type: Option<&str>) -> Result<Answer, LlmError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| LlmError::Upstream("the webhook's answer is not UTF-8".to_owned()))?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(LlmError::Upstream(
            "the webhook's answer is empty".to_owned(),
        ));
    }
    let json = serde_json::from_str::<Value>(trimmed).ok();
    if let Some(answer) = json.as_ref().and_then(from_value) {
        return Ok(answer);
    }
    if is_plain_text(content_type) {
        return Ok(Answer {
            content: text.to_owned(),
            ..Answer::default()
        });
    }
    Err(LlmError::Upstream(if json.is_some() {
        "the webhook's answer holds no text".to_owned()
    } else {
        "the webhook's answer is not readable".to_owned()
    }))
}

fn is_plain_text(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/plain"))
    })
}

/// The answer in a JSON value: an object, or an array's first item.
pub(crate) fn from_value(value: &Value) -> Option<Answer> {
    match value {
        Value::Array(items) => items.first().and_then(from_object),
        Value::Object(_) => from_object(value),
        _ => None,
    }
}

fn from_object(value: &Value) -> Option<Answer> {
    if !value.is_object() {
        return None;
    }
    if let Some(choice) = value.get("choices").and_then(|choices| choices.get(0)) {
        return openai_choice(value, choice);
    }
    let content = TEXT_FIELDS
        .iter()
        .find_map(|field| match value.get(*field)? {
            Value::String(text) => Some(text.as_str()),
            nested if *field == "message" => nested.get("content")?.as_str(),
            _ => None,
        })?;
    Some(Answer {
        content: content.to_owned(),
        usage: usage_of(value),
        finish_reason: value
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        tool_calls: None,
    })
}

/// `choices[0]` of a `chat.completion` (`message.content`) or `text_completion` (`text`).
fn openai_choice(object: &Value, choice: &Value) -> Option<Answer> {
    let message = choice.get("message");
    let content = match message {
        Some(message) => match message.get("content") {
            Some(Value::String(text)) => text.clone(),
            // A message with only tool calls has `content: null`.
            Some(Value::Null) | None if message.get("tool_calls").is_some() => String::new(),
            _ => return None,
        },
        None => choice.get("text")?.as_str()?.to_owned(),
    };
    Some(Answer {
        content,
        usage: usage_of(object),
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        tool_calls: message
            .and_then(|message| message.get("tool_calls"))
            .filter(|calls| calls.as_array().is_some_and(|calls| !calls.is_empty()))
            .cloned(),
    })
}

/// An OpenAI `usage` object (`prompt_tokens`, `completion_tokens`, `total_tokens`).
pub(crate) fn usage_of(value: &Value) -> Option<Usage> {
    let usage = value.get("usage")?;
    let prompt_tokens = usage.get("prompt_tokens")?.as_u64()?;
    let completion_tokens = usage.get("completion_tokens")?.as_u64()?;
    let total_tokens = usage
        .get("total_tokens")
        .and_then(Value::as_u64)
        .unwrap_or(prompt_tokens + completion_tokens);
    Some(Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens,
        estimated: false,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn content(body: &str, content_type: Option<&str>) -> String {
        decode(body.as_bytes(), content_type)
            .expect("an answer")
            .content
    }

    #[test]
    fn text_fields_are_looked_for_in_order() {
        let body = json!({"message": "m", "answer": "a", "response": "r", "content": "c",
                          "text": "t", "output": "o"});
        assert_eq!(content(&body.to_string(), None), "o");
        let body = json!({"message": "m", "answer": "a", "response": "r"});
        assert_eq!(content(&body.to_string(), None), "r");
        let body = json!({"message": {"role": "assistant", "content": "nested"}});
        assert_eq!(content(&body.to_string(), None), "nested");
        // A non-string field is skipped, not taken.
        let body = json!({"output": {"x": 1}, "text": "t"});
        assert_eq!(content(&body.to_string(), None), "t");
    }

    #[test]
    fn an_array_answers_with_its_first_item() {
        let body = json!([{"output": "first"}, {"output": "second"}]);
        assert_eq!(
            content(&body.to_string(), Some("application/json")),
            "first"
        );
    }

    #[test]
    fn openai_objects_give_text_usage_and_finish_reason() {
        let body = json!({"object": "chat.completion", "model": "x",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                         "finish_reason": "length"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}});
        let answer = decode(body.to_string().as_bytes(), None).expect("an answer");
        assert_eq!(answer.content, "Hi");
        assert_eq!(answer.finish_reason.as_deref(), Some("length"));
        assert_eq!(
            answer.usage,
            Some(Usage {
                prompt_tokens: 7,
                completion_tokens: 2,
                total_tokens: 9,
                estimated: false,
            })
        );
        let body = json!({"object": "text_completion", "choices": [{"text": "legacy"}]});
        assert_eq!(content(&body.to_string(), None), "legacy");
    }

    #[test]
    fn plain_text_is_the_answer_and_garbage_is_not() {
        assert_eq!(
            content("Just text.", Some("text/plain; charset=utf-8")),
            "Just text."
        );
        assert!(decode(b"<html>oops", Some("application/json")).is_err());
        assert!(decode(b"{\"status\": \"ok\"}", Some("application/json")).is_err());
        assert!(decode(b"  \n", Some("text/plain")).is_err());
        assert!(decode(&[0xff, 0xfe], Some("text/plain")).is_err());
    }
}
