//! What goes over the wire. Requests use async-openai's types; replies are read into
//! our own lenient structs, because async-openai's response types require fields that
//! OpenRouter and other compatible servers omit or extend (e.g. `finish_reason: "error"`,
//! string error codes), and an upstream reply is untrusted input anyway.

use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionStreamOptions,
    CreateChatCompletionRequest, Prompt,
};
use async_openai::types::completions::CreateCompletionRequest;
use polychat_domain::ports::{CompletionRequest, LlmMessage, ModelInput};
use polychat_domain::{ModelName, Role, Usage};
use serde::Deserialize;
use serde_json::Value;

/// The body of `POST /chat/completions`: async-openai's request, with the messages a
/// client sent in full (tool calls, tool results, parts) as they came, and the
/// client's other fields (`tools`, `response_format`, sampling) passed through.
pub(crate) fn chat_request(request: &CompletionRequest, stream: bool) -> Value {
    let messages = match &request.input {
        ModelInput::Chat(messages) => messages.as_slice(),
        ModelInput::Text(_) => &[],
    };
    // `max_tokens` is what OpenRouter, vLLM and Ollama read; async-openai deprecates it in
    // favour of OpenAI's own `max_completion_tokens`, which they may ignore.
    #[allow(deprecated)]
    let typed = CreateChatCompletionRequest {
        model: request.model.as_str().to_owned(),
        messages: messages.iter().map(message).collect(),
        max_tokens: request.options.max_tokens,
        stream: stream.then_some(true),
        stream_options: stream.then_some(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        }),
        ..CreateChatCompletionRequest::default()
    };
    let mut body = serde_json::to_value(typed).unwrap_or_default();
    if let Some(Value::Array(sent)) = body.get_mut("messages") {
        for (sent, message) in sent.iter_mut().zip(messages) {
            if let Some(raw) = &message.raw {
                sent.clone_from(raw);
            }
        }
    }
    with_extra(body, request)
}

/// The body of the legacy `POST /completions`, `prompt` a string.
pub(crate) fn text_request(request: &CompletionRequest, stream: bool) -> Value {
    let prompt = match &request.input {
        ModelInput::Text(prompt) => prompt.clone(),
        ModelInput::Chat(messages) => messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let typed = CreateCompletionRequest {
        model: request.model.as_str().to_owned(),
        prompt: Prompt::String(prompt),
        max_tokens: request.options.max_tokens,
        stream: stream.then_some(true),
        stream_options: stream.then_some(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        }),
        ..CreateCompletionRequest::default()
    };
    with_extra(serde_json::to_value(typed).unwrap_or_default(), request)
}

/// The client's own fields, where the typed request did not set them.
fn with_extra(mut body: Value, request: &CompletionRequest) -> Value {
    if let Value::Object(fields) = &mut body {
        for (name, value) in &request.options.extra {
            fields.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    body
}

fn message(message: &LlmMessage) -> ChatCompletionRequestMessage {
    let text = message.content.clone();
    match message.role {
        Role::System => ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
            content: ChatCompletionRequestSystemMessageContent::Text(text),
            name: None,
        }),
        // A tool result without its raw form (which names the call) can only be told
        // as what the user passes on.
        Role::User | Role::Tool => {
            ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
                content: ChatCompletionRequestUserMessageContent::Text(text),
                name: None,
            })
        }
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
    /// Set in legacy text completions, whole or streamed.
    pub(crate) text: Option<String>,
    pub(crate) finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WireContent {
    pub(crate) content: Option<String>,
    pub(crate) tool_calls: Option<Value>,
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
            estimated: false,
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
    use polychat_domain::ports::GenerationOptions;
    use secrecy::SecretString;
    use serde_json::json;

    use super::*;

    fn request(max_tokens: Option<u32>) -> CompletionRequest {
        CompletionRequest {
            model: ModelName::parse("openai/gpt-4o-mini").unwrap(),
            input: ModelInput::Chat(vec![
                LlmMessage::text(Role::System, "be brief"),
                LlmMessage::text(Role::User, "olá"),
                LlmMessage::text(Role::Assistant, "oi"),
            ]),
            api_key: SecretString::from("sk-or-secret"),
            options: GenerationOptions {
                max_tokens,
                ..GenerationOptions::default()
            },
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
        let plain = chat_request(&request(None), false);
        let keys: Vec<&String> = plain.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["messages", "model"]);
    }

    #[test]
    fn client_fields_and_raw_messages_pass_through() {
        let mut call = request(None);
        let tool_call = json!({"role": "assistant", "content": null,
            "tool_calls": [{"id": "c1", "type": "function",
                            "function": {"name": "f", "arguments": "{}"}}]});
        let ModelInput::Chat(messages) = &mut call.input else {
            unreachable!()
        };
        messages[2].raw = Some(tool_call.clone());
        call.options
            .extra
            .insert("tools".into(), json!([{"type": "function"}]));
        call.options.extra.insert("model".into(), json!("not/this"));
        let body = chat_request(&call, false);
        assert_eq!(body["messages"][2], tool_call);
        assert_eq!(body["tools"], json!([{"type": "function"}]));
        assert_eq!(body["model"], "openai/gpt-4o-mini");
    }

    #[test]
    fn legacy_completions_send_the_prompt() {
        let mut call = request(Some(5));
        call.input = ModelInput::Text("Once upon".into());
        let body = text_request(&call, true);
        assert_eq!(body["prompt"], "Once upon");
        assert_eq!(body["max_tokens"], 5);
        assert_eq!(body["stream_options"], json!({"include_usage": true}));
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
