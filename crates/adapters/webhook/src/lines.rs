//! n8n's streaming answer: one JSON object a line, `{"type": "begin" | "item" | "end" |
//! "error", "content": ...}` (with `metadata` and other fields ignored). `item` content
//! is a piece of the answer, `end` closes it, `error` fails it. Also the splitting of a
//! body into lines, shared with the event-stream reader.

use polychat_domain::ports::LlmError;
use serde_json::Value;

/// The line types of n8n's stream; a first line of one of these marks a JSON-lines body.
const LINE_TYPES: [&str; 4] = ["begin", "item", "end", "error"];

/// The longest error text of a webhook quoted in an error.
const MAX_ERROR_CHARS: usize = 160;

/// What one line (or event) of a streamed answer means.
#[derive(Debug)]
pub(crate) enum Step {
    Delta(String),
    /// The answer is complete.
    Done,
    Fail(LlmError),
}

/// Whether `line` is a line of n8n's stream (a JSON object whose `type` is one of
/// its line types).
pub(crate) fn is_json_line(line: &str) -> bool {
    serde_json::from_str::<Value>(line.trim()).is_ok_and(|value| {
        value
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| LINE_TYPES.contains(&kind))
    })
}

/// Reads one line of n8n's stream; `None` for lines that carry nothing (`begin`, blank
/// lines, types it does not know).
pub(crate) fn json_line(line: &str) -> Option<Step> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(line) else {
        return Some(Step::Fail(LlmError::Upstream(
            "the webhook's stream has a line that is not a JSON object".to_owned(),
        )));
    };
    match value.get("type").and_then(Value::as_str) {
        Some("item") => match value.get("content") {
            Some(Value::String(text)) if !text.is_empty() => Some(Step::Delta(text.clone())),
            _ => None,
        },
        Some("end") => Some(Step::Done),
        Some("error") => Some(Step::Fail(reported_error(value.get("content")))),
        _ => None,
    }
}

/// An error the webhook reported, quoting its text briefly.
pub(crate) fn reported_error(content: Option<&Value>) -> LlmError {
    let text = match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(object)) => object
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    let text: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_ERROR_CHARS)
        .collect();
    let text = text.trim();
    LlmError::Upstream(if text.is_empty() {
        "the webhook reported an error".to_owned()
    } else {
        format!("the webhook reported an error: {text}")
    })
}

/// Splits bytes that arrive in arbitrary pieces into lines (LF or CRLF ends).
#[derive(Debug, Default)]
pub(crate) struct LineSplitter {
    partial: Vec<u8>,
}

/// The body is not UTF-8.
#[derive(Debug)]
pub(crate) struct NotUtf8;

impl LineSplitter {
    /// The lines `bytes` complete.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, NotUtf8> {
        let mut lines = Vec::new();
        let mut rest = bytes;
        while let Some(at) = rest.iter().position(|&byte| byte == b'\n') {
            self.partial.extend_from_slice(&rest[..at]);
            rest = &rest[at + 1..];
            lines.push(self.take()?);
        }
        self.partial.extend_from_slice(rest);
        Ok(lines)
    }

    /// At end of input: the last line, when it had no line end.
    pub(crate) fn finish(&mut self) -> Result<Option<String>, NotUtf8> {
        if self.partial.is_empty() {
            return Ok(None);
        }
        self.take().map(Some)
    }

    fn take(&mut self) -> Result<String, NotUtf8> {
        let mut line = std::mem::take(&mut self.partial);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8(line).map_err(|_| NotUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_across_pieces() {
        let mut splitter = LineSplitter::default();
        assert_eq!(splitter.push(b"ab").expect("utf-8"), Vec::<String>::new());
        assert_eq!(
            splitter.push(b"c\r\nd\n\ne").expect("utf-8"),
            ["abc", "d", ""]
        );
        // A multi-byte character split between pieces.
        assert_eq!(splitter.push(&[0xc3]).expect("utf-8"), Vec::<String>::new());
        assert_eq!(splitter.push(&[0xa9, b'\n']).expect("utf-8"), ["eé"]);
        assert_eq!(splitter.push(b"last").expect("utf-8"), Vec::<String>::new());
        assert_eq!(splitter.finish().expect("utf-8").as_deref(), Some("last"));
    }

    #[test]
    fn reads_n8n_lines() {
        assert!(is_json_line(
            r#"{"type":"begin","metadata":{"nodeId":"1"}}"#
        ));
        assert!(!is_json_line(r#"{"output":"x"}"#));
        assert!(!is_json_line("{"));
        assert!(json_line(r#"{"type":"begin"}"#).is_none());
        assert!(
            matches!(json_line(r#"{"type":"item","content":"Hi"}"#), Some(Step::Delta(t)) if t == "Hi")
        );
        assert!(matches!(json_line(r#"{"type":"end"}"#), Some(Step::Done)));
        assert!(matches!(
            json_line(r#"{"type":"error","content":"boom"}"#),
            Some(Step::Fail(LlmError::Upstream(m))) if m == "the webhook reported an error: boom"
        ));
        assert!(matches!(json_line("not json"), Some(Step::Fail(_))));
    }
}
