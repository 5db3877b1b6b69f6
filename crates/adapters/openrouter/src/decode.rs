//! Pure interpretation of upstream replies: a whole reply into a [`Completion`], and
//! the `data` of stream events into [`StreamEvent`]s.
//!
//! End of a stream without `[DONE]`: if a chunk carried a `finish_reason` or the usage
//! (which comes last), the answer is known to be whole and the stream finishes
//! normally; otherwise the connection was cut mid-answer and the stream ends with an
//! error, so the caller stores what arrived as incomplete instead of complete.

use polychat_domain::ModelName;
use polychat_domain::Usage;
use polychat_domain::ports::{Completion, LlmError, StreamEvent};
use secrecy::SecretString;

use crate::errors::{from_error_body, short_message};
use crate::wire::{WireReply, model_name};

/// The status assumed for an error body that carries no usable code.
const UNKNOWN_FAILURE_STATUS: u16 = 502;

fn malformed() -> LlmError {
    LlmError::Upstream("the upstream sent a malformed reply".to_owned())
}

fn failed_mid_answer() -> LlmError {
    LlmError::Upstream("the model failed while answering".to_owned())
}

/// A whole (non-streamed) reply.
pub(crate) fn completion(body: &[u8], key: &SecretString) -> Result<Completion, LlmError> {
    let reply: WireReply = serde_json::from_slice(body).map_err(|_| malformed())?;
    if let Some(error) = &reply.error {
        return Err(from_error_body(error, UNKNOWN_FAILURE_STATUS, key));
    }
    let choice = reply
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| LlmError::Upstream("the upstream reply holds no answer".to_owned()))?;
    if choice.finish_reason.as_deref() == Some("error") {
        return Err(failed_mid_answer());
    }
    let (content, tool_calls) = match choice.message {
        Some(message) => (message.content, message.tool_calls),
        None => (None, None),
    };
    Ok(Completion {
        content: content.or(choice.text).unwrap_or_default(),
        model: model_name(reply.model.as_deref()),
        usage: reply
            .usage
            .map(|usage| usage.to_usage())
            .unwrap_or_default(),
        finish_reason: choice.finish_reason,
        tool_calls: tool_calls.filter(|calls| !calls.is_null()),
    })
}

/// What one stream event means.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Nothing to pass on (role-only chunk, empty delta, usage held for the end).
    Nothing,
    Delta(String),
    /// Tool-call fragments, with any text of the same chunk.
    ToolCalls {
        text: String,
        calls: serde_json::Value,
    },
    /// The stream is over; nothing after this is read.
    Done(StreamEvent),
}

/// Follows a stream's chunks, remembering the model and usage for the final event.
#[derive(Debug)]
pub(crate) struct ChunkDecoder {
    key: SecretString,
    model: Option<ModelName>,
    usage: Option<Usage>,
    finish_reason: Option<String>,
}

impl ChunkDecoder {
    /// `key` is only used to redact it from upstream messages.
    pub(crate) fn new(key: SecretString) -> Self {
        Self {
            key,
            model: None,
            usage: None,
            finish_reason: None,
        }
    }

    /// Interprets the `data` of one event.
    pub(crate) fn data(&mut self, data: &str) -> Result<Step, LlmError> {
        let data = data.trim();
        if data == "[DONE]" {
            return Ok(Step::Done(self.finished()));
        }
        if data.is_empty() {
            return Ok(Step::Nothing);
        }
        let chunk: WireReply = serde_json::from_str(data).map_err(|_| {
            let preview = short_message(&data.chars().take(40).collect::<String>(), &self.key);
            LlmError::Upstream(format!(
                "the upstream sent malformed stream data: {preview}"
            ))
        })?;
        if let Some(error) = &chunk.error {
            return Err(from_error_body(error, UNKNOWN_FAILURE_STATUS, &self.key));
        }
        if let Some(model) = model_name(chunk.model.as_deref()) {
            self.model = Some(model);
        }
        if let Some(usage) = &chunk.usage {
            self.usage = Some(usage.to_usage());
        }
        let mut text = String::new();
        let mut calls = Vec::new();
        for choice in chunk.choices {
            match choice.finish_reason {
                Some(reason) if reason == "error" => return Err(failed_mid_answer()),
                Some(reason) => self.finish_reason = Some(reason),
                None => {}
            }
            let part = choice.delta.or(choice.message).unwrap_or_default();
            if let Some(content) = part.content.or(choice.text) {
                text.push_str(&content);
            }
            if let Some(serde_json::Value::Array(more)) = part.tool_calls {
                calls.extend(more);
            }
        }
        Ok(match (text.is_empty(), calls.is_empty()) {
            (_, false) => Step::ToolCalls {
                text,
                calls: serde_json::Value::Array(calls),
            },
            (true, true) => Step::Nothing,
            (false, true) => Step::Delta(text),
        })
    }

    /// The input ended without `[DONE]`.
    pub(crate) fn end_of_input(&mut self) -> Result<StreamEvent, LlmError> {
        if self.finish_reason.is_some() || self.usage.is_some() {
            Ok(self.finished())
        } else {
            Err(LlmError::Upstream(
                "the stream ended before the answer was complete".to_owned(),
            ))
        }
    }

    fn finished(&mut self) -> StreamEvent {
        StreamEvent::Finished {
            model: self.model.take(),
            usage: self.usage.take(),
            finish_reason: self.finish_reason.take(),
        }
    }
}

#[cfg(test)]
mod tests;
