//! Turns a webhook's answer, as its bytes arrive, into the pipeline's events. The shape
//! is told by the answer itself: `text/event-stream` is OpenAI chunks; a first line that
//! is a JSON object with `type` (`begin`, `item`, `end`, `error`) is n8n's streaming JSON
//! lines; anything else is a whole answer, read to its end (see [`crate::answer`]).

use polychat_domain::Usage;
use polychat_domain::ports::LlmError;
use serde_json::Value;

use crate::answer::{self, Answer};

/// What the answer said so far, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Delta(String),
    Usage(Usage),
    FinishReason(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Not known until the first line is in.
    Unknown,
    JsonLines,
    EventStream,
    Whole,
}

/// The decoder of one answer.
pub(crate) struct Decoder {
    shape: Shape,
    /// Whether the answer said it is JSON (`application/json`, ...).
    json: bool,
    buffer: Vec<u8>,
    ended: bool,
}

fn unreadable(what: &str) -> LlmError {
    LlmError::Upstream(format!("the webhook's answer is unreadable: {what}"))
}

impl Decoder {
    pub(crate) fn new(content_type: &str) -> Self {
        let content_type = content_type.to_ascii_lowercase();
        Self {
            shape: if content_type.starts_with("text/event-stream") {
                Shape::EventStream
            } else {
                Shape::Unknown
            },
            json: content_type.contains("json"),
            buffer: Vec::new(),
            ended: false,
        }
    }

    /// Whether the answer said it is complete (`end`, `[DONE]`).
    pub(crate) fn ended(&self) -> bool {
        self.ended
    }

    /// The pieces `bytes` completes.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<Piece>, LlmError> {
        self.buffer.extend_from_slice(bytes);
        if self.shape == Shape::Unknown {
            let Some(end) = self.buffer.iter().position(|b| *b == b'\n') else {
                return Ok(Vec::new());
            };
            self.shape = if is_stream_line(&self.buffer[..end]) {
                Shape::JsonLines
            } else {
                Shape::Whole
            };
        }
        match self.shape {
            Shape::JsonLines | Shape::EventStream => self.lines(false),
            Shape::Unknown | Shape::Whole => Ok(Vec::new()),
        }
    }

    /// The pieces left when the answer's bytes are all in.
    pub(crate) fn finish(&mut self) -> Result<Vec<Piece>, LlmError> {
        if self.shape == Shape::Unknown {
            self.shape = if is_stream_line(&self.buffer) {
                Shape::JsonLines
            } else {
                Shape::Whole
            };
        }
        match self.shape {
            Shape::JsonLines | Shape::EventStream => self.lines(true),
            Shape::Unknown | Shape::Whole => {
                let Answer {
                    content,
                    usage,
                    finish_reason,
                } = answer::decode(&self.buffer, self.json)
                    .ok_or_else(|| unreadable("no answer in a shape polychat understands"))?;
                self.ended = true;
                Ok([Piece::Delta(content)]
                    .into_iter()
                    .chain(usage.map(Piece::Usage))
                    .chain(finish_reason.map(Piece::FinishReason))
                    .collect())
            }
        }
    }

    /// The complete lines in the buffer (and the last one, at the end).
    fn lines(&mut self, at_end: bool) -> Result<Vec<Piece>, LlmError> {
        let mut pieces = Vec::new();
        loop {
            let line = match self.buffer.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    let line: Vec<u8> = self.buffer.drain(..=end).collect();
                    line
                }
                None if at_end && !self.buffer.is_empty() => std::mem::take(&mut self.buffer),
                None => return Ok(pieces),
            };
            let line = std::str::from_utf8(&line).map_err(|_| unreadable("not UTF-8"))?;
            let line = line.trim();
            if line.is_empty() || self.ended {
                continue;
            }
            match self.shape {
                Shape::EventStream => self.event_line(line, &mut pieces)?,
                _ => self.json_line(line, &mut pieces)?,
            }
        }
    }

    /// One of n8n's streaming lines.
    fn json_line(&mut self, line: &str, pieces: &mut Vec<Piece>) -> Result<(), LlmError> {
        let value: Value =
            serde_json::from_str(line).map_err(|_| unreadable("a line is not JSON"))?;
        match value.get("type").and_then(Value::as_str) {
            Some("item") => {
                if let Some(content) = value.get("content").and_then(Value::as_str)
                    && !content.is_empty()
                {
                    pieces.push(Piece::Delta(content.to_owned()));
                }
            }
            Some("end") => self.ended = true,
            Some("error") => {
                let message = value
                    .get("content")
                    .and_then(Value::as_str)
                    .unwrap_or("the workflow failed");
                let message: String = message.chars().take(300).collect();
                return Err(LlmError::Upstream(format!(
                    "the webhook reported an error: {message}"
                )));
            }
            // `begin` and anything newer n8n sends.
            _ => {}
        }
        Ok(())
    }

    /// One line of `text/event-stream` with OpenAI chunks.
    fn event_line(&mut self, line: &str, pieces: &mut Vec<Piece>) -> Result<(), LlmError> {
        let Some(data) = line.strip_prefix("data:") else {
            // `event:`, `id:`, comments.
            return Ok(());
        };
        let data = data.trim();
        if data == "[DONE]" {
            self.ended = true;
            return Ok(());
        }
        let chunk: Value =
            serde_json::from_str(data).map_err(|_| unreadable("an event is not JSON"))?;
        if let Some(error) = chunk.get("error") {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("error");
            return Err(LlmError::Upstream(format!(
                "the webhook reported an error: {message}"
            )));
        }
        if let Some(choice) = chunk
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
        {
            let content = choice
                .pointer("/delta/content")
                .or_else(|| choice.get("text"))
                .and_then(Value::as_str);
            if let Some(content) = content.filter(|c| !c.is_empty()) {
                pieces.push(Piece::Delta(content.to_owned()));
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                pieces.push(Piece::FinishReason(reason.to_owned()));
            }
        }
        if let Some(usage) = chunk.get("usage").and_then(answer::usage) {
            pieces.push(Piece::Usage(usage));
        }
        Ok(())
    }
}

/// Whether `line` is one of n8n's streaming lines.
fn is_stream_line(line: &[u8]) -> bool {
    serde_json::from_slice::<Value>(line.trim_ascii()).is_ok_and(|value| {
        matches!(
            value.get("type").and_then(Value::as_str),
            Some("begin" | "item" | "end" | "error")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(content_type: &str, parts: &[&str]) -> Result<Vec<Piece>, LlmError> {
        let mut decoder = Decoder::new(content_type);
        let mut pieces = Vec::new();
        for part in parts {
            pieces.extend(decoder.push(part.as_bytes())?);
        }
        pieces.extend(decoder.finish()?);
        Ok(pieces)
    }

    fn delta(text: &str) -> Piece {
        Piece::Delta(text.to_owned())
    }

    #[test]
    fn json_lines_split_anywhere() {
        let pieces = all(
            "application/json",
            &[
                r#"{"type":"begin","metadata":{}}"#,
                "\n{\"type\":\"it",
                "em\",\"content\":\"Ol\u{e1}\"}\n",
                r#"{"type":"item","content":", mundo"}"#,
                "\n{\"type\":\"end\"}\n",
            ],
        )
        .unwrap();
        assert_eq!(pieces, vec![delta("Olá"), delta(", mundo")]);
    }

    #[test]
    fn an_error_line_fails_the_answer() {
        let error = all(
            "text/plain",
            &["{\"type\":\"begin\"}\n{\"type\":\"error\",\"content\":\"node crashed\"}\n"],
        );
        assert!(matches!(error, Err(LlmError::Upstream(m)) if m.contains("node crashed")));
    }

    #[test]
    fn openai_chunks() {
        let body = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n: keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":2,\"total_tokens\":4}}\n\ndata: [DONE]\n\n";
        let pieces = all(
            "text/event-stream; charset=utf-8",
            &[&body[..30], &body[30..]],
        )
        .unwrap();
        assert_eq!(
            pieces,
            vec![
                delta("a"),
                delta("b"),
                Piece::FinishReason("stop".to_owned()),
                Piece::Usage(Usage::reported(2, 2))
            ]
        );
    }

    #[test]
    fn a_whole_answer_in_any_shape() {
        assert_eq!(
            all("application/json", &["{\n  \"output\": \"pretty\"\n}"]).unwrap(),
            vec![delta("pretty")]
        );
        assert_eq!(
            all("application/json", &[r#"[{"output":"x"}]"#]).unwrap(),
            vec![delta("x")]
        );
        assert_eq!(
            all("text/plain", &["just ", "text\n", "on lines"]).unwrap(),
            vec![delta("just text\non lines")]
        );
        assert!(all("application/json", &["<html>"]).is_err());
        assert!(all("text/html", &[""]).is_err(), "an empty answer is none");
    }
}
