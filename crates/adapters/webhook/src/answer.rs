//! Whole answers in every shape the contract lists: an OpenAI `chat.completion` or
//! `text_completion`, a JSON object with the answer in `output`, `text`, `content`,
//! `response`, `answer` or `message` (or `message.content`), a JSON array whose first
//! item is one of those, or plain text.

use polychat_domain::Usage;
use serde_json::Value;

/// What a whole answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub content: String,
    /// The usage the answer reported, if any.
    pub usage: Option<Usage>,
    pub finish_reason: Option<String>,
}

/// The fields a plain JSON answer may carry its text in, in the order they are tried.
const TEXT_FIELDS: [&str; 6] = ["output", "text", "content", "response", "answer", "message"];

/// Reads a whole answer; `None` when it holds no answer polychat understands.
pub(crate) fn decode(body: &[u8], json: bool) -> Option<Answer> {
    let text = std::str::from_utf8(body).ok()?;
    match serde_json::from_str::<Value>(text) {
        Ok(value) => from_json(&value),
        // Not JSON: plain text, unless it claimed to be JSON.
        Err(_) if !json && !text.trim().is_empty() => Some(Answer {
            content: text.to_owned(),
            usage: None,
            finish_reason: None,
        }),
        Err(_) => None,
    }
}

fn from_json(value: &Value) -> Option<Answer> {
    match value {
        Value::Array(items) => items.first().and_then(from_json),
        Value::Object(object) => {
            if let Some(choice) = object
                .get("choices")
                .and_then(Value::as_array)
                .and_then(|c| c.first())
            {
                let content = choice
                    .pointer("/message/content")
                    .or_else(|| choice.get("text"))
                    .and_then(Value::as_str)?;
                return Some(Answer {
                    content: content.to_owned(),
                    usage: object.get("usage").and_then(usage),
                    finish_reason: choice
                        .get("finish_reason")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
            let content = TEXT_FIELDS
                .iter()
                .find_map(|field| match object.get(*field) {
                    Some(Value::String(text)) => Some(text.clone()),
                    Some(Value::Object(inner)) if *field == "message" => inner
                        .get("content")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    _ => None,
                })?;
            Some(Answer {
                content,
                usage: object.get("usage").and_then(usage),
                finish_reason: None,
            })
        }
        Value::String(text) => Some(Answer {
            content: text.clone(),
            usage: None,
            finish_reason: None,
        }),
        _ => None,
    }
}

/// An OpenAI `usage` object.
pub(crate) fn usage(value: &Value) -> Option<Usage> {
    let count = |name| value.get(name).and_then(Value::as_u64);
    let prompt = count("prompt_tokens")?;
    let completion = count("completion_tokens").unwrap_or(0);
    let mut usage = Usage::reported(prompt, completion);
    if let Some(total) = count("total_tokens") {
        usage.total_tokens = total;
    }
    Some(usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: &str, json: bool) -> Option<String> {
        decode(body.as_bytes(), json).map(|a| a.content)
    }

    #[test]
    fn every_shape_of_the_contract() {
        let chat = r#"{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#;
        let answer = decode(chat.as_bytes(), true).unwrap();
        assert_eq!(answer.content, "hi");
        assert_eq!(answer.usage, Some(Usage::reported(3, 1)));
        assert_eq!(answer.finish_reason.as_deref(), Some("length"));
        let text = r#"{"object":"text_completion","choices":[{"text":" once"}]}"#;
        assert_eq!(content(text, true).as_deref(), Some(" once"));
        for field in TEXT_FIELDS {
            let body = format!(r#"{{"{field}":"from {field}"}}"#);
            assert_eq!(content(&body, true), Some(format!("from {field}")));
        }
        assert_eq!(
            content(r#"{"message":{"content":"nested"}}"#, true).as_deref(),
            Some("nested")
        );
        assert_eq!(
            content(r#"{"text":"first","output":"wins"}"#, true).as_deref(),
            Some("wins"),
            "output comes first"
        );
        assert_eq!(
            content(r#"[{"output":"from n8n"},{"output":"ignored"}]"#, true).as_deref(),
            Some("from n8n")
        );
        assert_eq!(
            content("plain words", false).as_deref(),
            Some("plain words")
        );
    }

    #[test]
    fn garbage_is_no_answer() {
        assert_eq!(content("<html>oops", true), None);
        assert_eq!(content(r#"{"unrelated": 1}"#, true), None);
        assert_eq!(content(r#"{"output": 5}"#, true), None);
        assert_eq!(content("[]", true), None);
        assert_eq!(content("   ", false), None);
        assert!(decode(&[0xff, 0xfe], false).is_none());
    }
}
