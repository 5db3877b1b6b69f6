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
    Ok(Completion {
        content: choice
            .message
            .and_then(|message| message.content)
            .unwrap_or_default(),
        model: model_name(reply.model.as_deref()),
        usage: reply
            .usage
            .map(|usage| usage.to_usage())
            .unwrap_or_default(),
    })
}

/// What one stream event means.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Nothing to pass on (role-only chunk, empty delta, usage held for the end).
    Nothing,
    Delta(String),
    /// The stream is over; nothing after this is read.
    Done(StreamEvent),
}

/// Follows a stream's chunks, remembering the model and usage for the final event.
#[derive(Debug)]
pub(crate) struct ChunkDecoder {
    key: SecretString,
    model: Option<ModelName>,
    usage: Option<Usage>,
    finish_seen: bool,
}

impl ChunkDecoder {
    /// `key` is only used to redact it from upstream messages.
    pub(crate) fn new(key: SecretString) -> Self {
        Self {
            key,
            model: None,
            usage: None,
            finish_seen: false,
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
        for choice in chunk.choices {
            match choice.finish_reason.as_deref() {
                Some("error") => return Err(failed_mid_answer()),
                Some(_) => self.finish_seen = true,
                None => {}
            }
            if let Some(content) = choice.delta.or(choice.message).and_then(|d| d.content) {
                text.push_str(&content);
            }
        }
        Ok(if text.is_empty() {
            Step::Nothing
        } else {
            Step::Delta(text)
        })
    }

    /// The input ended without `[DONE]`.
    pub(crate) fn end_of_input(&mut self) -> Result<StreamEvent, LlmError> {
        if self.finish_seen || self.usage.is_some() {
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
        }
    }
}

#[cfg(test)]
mod tests;
