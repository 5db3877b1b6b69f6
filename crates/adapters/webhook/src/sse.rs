//! A `text/event-stream` answer of OpenAI chunks: `data: {...}` events whose
//! `choices[0].delta.content` (or `choices[0].text`) are pieces of the answer, an
//! optional usage chunk, and `data: [DONE]`. Fed line by line; comment lines and the
//! `event`, `id` and `retry` fields are ignored.

use polychat_domain::Usage;
use serde_json::Value;

use crate::answer::usage_of;
use crate::lines::{Step, reported_error};
use polychat_domain::ports::LlmError;

/// Assembles events from lines and reads their chunks.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    data: String,
    has_data: bool,
    usage: Option<Usage>,
    finish_reason: Option<String>,
}

impl SseDecoder {
    /// Reads one line; a blank line ends an event.
    pub(crate) fn line(&mut self, line: &str) -> Vec<Step> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return Vec::new();
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        if field == "data" {
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(value.strip_prefix(' ').unwrap_or(value));
            self.has_data = true;
        }
        Vec::new()
    }

    /// At end of input: the event whose closing blank line never came.
    pub(crate) fn finish(&mut self) -> Vec<Step> {
        self.dispatch()
    }

    /// The usage a chunk reported.
    pub(crate) fn usage(&self) -> Option<Usage> {
        self.usage
    }

    /// The finish reason a chunk gave.
    pub(crate) fn finish_reason(&self) -> Option<String> {
        self.finish_reason.clone()
    }

    fn dispatch(&mut self) -> Vec<Step> {
        if !std::mem::take(&mut self.has_data) {
            return Vec::new();
        }
        let data = std::mem::take(&mut self.data);
        let data = data.trim();
        if data == "[DONE]" {
            return vec![Step::Done];
        }
        let Ok(chunk) = serde_json::from_str::<Value>(data) else {
            return vec![Step::Fail(LlmError::Upstream(
                "the webhook's event stream has an event that is not JSON".to_owned(),
            ))];
        };
        if let Some(error) = chunk.get("error") {
            return vec![Step::Fail(reported_error(Some(error)))];
        }
        if let Some(usage) = usage_of(&chunk) {
            self.usage = Some(usage);
        }
        let Some(choice) = chunk.get("choices").and_then(|choices| choices.get(0)) else {
            return Vec::new();
        };
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_owned());
        }
        let text = choice
            .get("delta")
            .and_then(|delta| delta.get("content"))
            .or_else(|| choice.get("text"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if text.is_empty() {
            Vec::new()
        } else {
            vec![Step::Delta(text.to_owned())]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(decoder: &mut SseDecoder, text: &str) -> Vec<String> {
        text.split('\n')
            .flat_map(|line| decoder.line(line))
            .map(|step| match step {
                Step::Delta(text) => text,
                Step::Done => "<done>".to_owned(),
                Step::Fail(error) => format!("<fail: {error}>"),
            })
            .collect()
    }

    #[test]
    fn reads_chunks_usage_and_done() {
        let mut decoder = SseDecoder::default();
        let steps = feed(
            &mut decoder,
            ": keep-alive\n\
             data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n\
             event: message\n\
             data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"length\"}]}\n\n\
             data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n\
             data: [DONE]\n\n",
        );
        assert_eq!(steps, ["Hel", "lo", "<done>"]);
        assert_eq!(decoder.finish_reason().as_deref(), Some("length"));
        assert_eq!(decoder.usage().map(|usage| usage.total_tokens), Some(5));
    }

    #[test]
    fn an_error_chunk_or_garbage_fails() {
        let mut decoder = SseDecoder::default();
        let steps = feed(
            &mut decoder,
            "data: {\"error\":{\"message\":\"overloaded\"}}\n\n",
        );
        assert_eq!(
            steps,
            ["<fail: the upstream failed: the webhook reported an error: overloaded>"]
        );
        let steps = feed(&mut decoder, "data: nope\n\n");
        assert_eq!(steps.len(), 1);
        assert!(steps[0].starts_with("<fail"));
    }
}
