//! What goes over the wire. Requests use async-openai's types; replies are read into
//! our own lenient structs, because async-openai's response types require fields that
//! OpenRouter and other compatible servers omit or extend (e.g. `finish_reason: "error"`,
//! string error codes), and an upstream reply is untrusted input anyway.

use async_openai::types::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionStreamOptions,
    CreateChatCompletionRequest,
};
use polychat_domain::ports::{CompletionRequest, LlmMessage};
use polychat_domain::{ModelName, Role, Usage};
use serde::Deserialize;
use serde_json::Value;

/// The body of `POST /chat/completions`.
pub(crate) fn chat_request(
    request: &CompletionRequest,
    stream: bool,
) -> CreateChatCompletionRequest {
    // `max_tokens` is what OpenRouter, vLLM and Ollama read; async-openai deprecates it in
    // favour of OpenAI's own `max_completion_tokens`, which they may ignore.
    #[allow(deprecated)]
    CreateChatCompletionRequest {
        model: request.model.as_str().to_owned(),
        messages: request.messages.iter().map(message).collect(),
        max_tokens: request.max_tokens,
        stream: stream.then_some(true),
        stream_options: stream.then_some(ChatCompletionStreamOptions {
            include_usage: true,
        }),
        ..CreateChatCompletionRequest::default()
    }
}

fn message(message: &LlmMessage) -> ChatCompletionRequestMessage {
    let text = message.content.clone();
    match message.role {
        Role::System => ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
            content: ChatCompletionRequestSystemMessageContent::Text(text),
            name: None,
        }),
        Role::User => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Text(text),
            name: None,
        }),
        Role::Assistant => {
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content: Some(ChatCompletionRequestAssistantMessageContent::Text(text)),
                ..ChatCompletionRequestAssistantMessage::default()
            })
        }
    }
}

/// A whole reply or one stream chunk: the two share every field we read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WireReply {
    pub(crate) model: Option<String>,
    pub(crate) choices: Vec<WireChoice>,
    pub(crate) usage: Option<WireUsage>,
    pub(crate) error: Option<WireError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WireChoice {
    /// Set in whole replies.
    pub(crate) message: Option<WireContent>,
    /// Set in stream chunks.
    pub(crate) delta: Option<WireContent>,
    pub(crate) finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WireContent {
    pub(crate) content: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(clippy::struct_field_names)] // the names are the wire format's
pub(crate) struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    total_tokens: Option<u64>,
}

impl WireUsage {
    pub(crate) fn to_usage(&self) -> Usage {
        let prompt_tokens = self.prompt_tokens.unwrap_or(0);
        let completion_tokens = self.completion_tokens.unwrap_or(0);
        Usage {
            prompt_tokens,
            completion_tokens,
            total_tokens: self
                .total_tokens
                .unwrap_or(prompt_tokens.saturating_add(completion_tokens)),
        }
    }
}

/// `{"error": {"code": 402 | "server_error", "message": "..."}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WireError {
    pub(crate) code: Option<Value>,
    pub(crate) message: Option<String>,
}

impl WireError {
    /// The code as an HTTP status when it is one (OpenRouter's numeric codes).
    pub(crate) fn status(&self) -> Option<u16> {
        match self.code.as_ref()? {
            Value::Number(number) => number.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The code when it is a word (OpenAI's `rate_limit_exceeded` and the like).
    pub(crate) fn word(&self) -> Option<&str> {
        self.code.as_ref()?.as_str()
    }
}

/// The model an upstream reported, if it is a name we accept.
pub(crate) fn model_name(reported: Option<&str>) -> Option<ModelName> {
    reported.and_then(|name| ModelName::parse(name).ok())
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;
    use serde_json::json;

    use super::*;

    fn request(max_tokens: Option<u32>) -> CompletionRequest {
        let turn = |role, content: &str| LlmMessage {
            role,
            content: content.to_owned(),
        };
        CompletionRequest {
            model: ModelName::parse("openai/gpt-4o-mini").unwrap(),
            messages: vec![
                turn(Role::System, "be brief"),
                turn(Role::User, "olá"),
                turn(Role::Assistant, "oi"),
            ],
            api_key: SecretString::from("sk-or-secret"),
            max_tokens,
        }
    }

    #[test]
    fn request_serialises_to_exactly_the_openai_shape() {
        let body = serde_json::to_value(chat_request(&request(Some(50)), true)).unwrap();
        assert_eq!(
            body,
            json!({
                "model": "openai/gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "be brief"},
                    {"role": "user", "content": "olá"},
                    {"role": "assistant", "content": "oi"},
                ],
                "max_tokens": 50,
                "stream": true,
                "stream_options": {"include_usage": true},
            })
        );
        let plain = serde_json::to_value(chat_request(&request(None), false)).unwrap();
        let keys: Vec<&String> = plain.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["messages", "model"]);
    }

    #[test]
    fn replies_are_read_leniently() {
        let reply: WireReply = serde_json::from_value(json!({
            "id": "gen-1", "provider": "Somebody", "model": "openai/gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                         "finish_reason": "error", "native_finish_reason": "weird"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "cost": 0.1},
        }))
        .unwrap();
        assert_eq!(reply.choices[0].finish_reason.as_deref(), Some("error"));
        let usage = reply.usage.unwrap().to_usage();
        assert_eq!((usage.prompt_tokens, usage.total_tokens), (3, 5));
        assert!(serde_json::from_value::<WireReply>(json!({})).is_ok());
    }

    #[test]
    fn error_codes_as_numbers_or_words() {
        let numeric: WireError = serde_json::from_value(json!({"code": 402})).unwrap();
        assert_eq!(numeric.status(), Some(402));
        let text: WireError = serde_json::from_value(json!({"code": "429"})).unwrap();
        assert_eq!(text.status(), Some(429));
        let word: WireError = serde_json::from_value(json!({"code": "server_error"})).unwrap();
        assert_eq!((word.status(), word.word()), (None, Some("server_error")));
    }
}
