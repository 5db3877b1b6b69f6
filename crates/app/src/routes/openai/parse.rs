//! OpenAI request bodies in domain terms. Read field by field from the JSON, so every
//! refusal is a 400 naming the field (`param`), as OpenAI's clients expect; unknown
//! fields are ignored.

use polychat_domain::Role;
use polychat_domain::ports::{GenerationOptions, LlmMessage};
use serde_json::{Map, Value};

use crate::http::ApiError;

/// What a chat or legacy completion request asks beside its input.
pub(super) struct Common {
    pub model: Option<String>,
    pub stream: bool,
    pub include_usage: bool,
    pub options: GenerationOptions,
    /// `metadata.session_id`: the client's conversation id, told to a custom model.
    pub session_id: Option<String>,
    pub fields: Map<String, Value>,
}

/// The longest `metadata.session_id` passed on.
const MAX_SESSION_ID_CHARS: usize = 256;

/// Fields sent to an OpenAI-compatible provider as the client set them.
const PASSED_THROUGH: [&str; 11] = [
    "temperature",
    "top_p",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "user",
    "tools",
    "tool_choice",
    "response_format",
    "parallel_tool_calls",
];

pub(super) fn bad(param: &'static str, reason: &str) -> ApiError {
    ApiError::validation(format!("{param}: {reason}"))
        .param(param)
        .openai()
}

/// The body as an object, then the fields every completion request shares.
pub(super) fn common(body: Value) -> Result<Common, ApiError> {
    let Value::Object(fields) = body else {
        return Err(bad("body", "must be a JSON object"));
    };
    let model = match fields.get("model") {
        None | Some(Value::Null) => None,
        Some(Value::String(model)) => Some(model.clone()),
        Some(_) => return Err(bad("model", "must be a string")),
    };
    let stream = boolean(&fields, "stream")?.unwrap_or(false);
    let include_usage = match fields.get("stream_options") {
        None | Some(Value::Null) => false,
        Some(Value::Object(options)) => match options.get("include_usage") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(include)) => *include,
            Some(_) => return Err(bad("stream_options", "include_usage must be a boolean")),
        },
        Some(_) => return Err(bad("stream_options", "must be an object")),
    };
    match fields.get("n") {
        None | Some(Value::Null) => {}
        Some(n) if n.as_u64() == Some(1) => {}
        Some(_) => return Err(bad("n", "only 1 is supported")),
    }
    let max_tokens = match count(&fields, "max_completion_tokens")? {
        Some(tokens) => Some(tokens),
        None => count(&fields, "max_tokens")?,
    };
    let session_id = match fields.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(metadata)) => match metadata.get("session_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id))
                if !id.is_empty() && id.chars().count() <= MAX_SESSION_ID_CHARS =>
            {
                Some(id.clone())
            }
            Some(_) => {
                return Err(bad(
                    "metadata",
                    "session_id must be a string of 1-256 characters",
                ));
            }
        },
        Some(_) => return Err(bad("metadata", "must be an object")),
    };
    let mut extra = Map::new();
    for name in PASSED_THROUGH {
        if let Some(value) = fields.get(name).filter(|value| !value.is_null()) {
            check_type(name, value)?;
            extra.insert(name.to_owned(), value.clone());
        }
    }
    Ok(Common {
        model,
        stream,
        include_usage,
        options: GenerationOptions { max_tokens, extra },
        session_id,
        fields,
    })
}

fn boolean(fields: &Map<String, Value>, name: &'static str) -> Result<Option<bool>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(bad(name, "must be a boolean")),
    }
}

fn count(fields: &Map<String, Value>, name: &'static str) -> Result<Option<u32>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => crate::http::whole::in_value(value)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| bad(name, "must be a positive integer")),
    }
}

fn check_type(name: &'static str, value: &Value) -> Result<(), ApiError> {
    let fits = match name {
        "seed" => value.is_i64() || value.is_u64(),
        "user" => value.is_string(),
        "stop" => {
            value.is_string()
                || value
                    .as_array()
                    .is_some_and(|stops| stops.iter().all(Value::is_string))
        }
        "tools" => value.is_array(),
        "tool_choice" => value.is_string() || value.is_object(),
        "response_format" => value.is_object(),
        "parallel_tool_calls" => value.is_boolean(),
        _ => value.is_number(),
    };
    if fits {
        Ok(())
    } else {
        Err(bad(name, "has the wrong type"))
    }
}

/// The `messages` of a chat completion request.
pub(super) fn messages(fields: &Map<String, Value>) -> Result<Vec<LlmMessage>, ApiError> {
    let Some(Value::Array(messages)) = fields.get("messages") else {
        return Err(bad("messages", "must be an array of messages"));
    };
    if messages.is_empty() {
        return Err(bad("messages", "must not be empty"));
    }
    messages.iter().map(message).collect()
}

fn message(value: &Value) -> Result<LlmMessage, ApiError> {
    let Value::Object(fields) = value else {
        return Err(bad("messages", "each message must be an object"));
    };
    let role = match fields.get("role").and_then(Value::as_str) {
        Some("system" | "developer") => Role::System,
        Some("user") => Role::User,
        Some("assistant") => Role::Assistant,
        Some("tool") => Role::Tool,
        _ => {
            return Err(bad(
                "messages",
                "role must be system, developer, user, assistant or tool",
            ));
        }
    };
    let (content, plain) = match fields.get("content") {
        None | Some(Value::Null) => (String::new(), false),
        Some(Value::String(text)) => (text.clone(), true),
        Some(Value::Array(parts)) => (text_of(parts)?, false),
        Some(_) => {
            return Err(bad(
                "messages",
                "content must be a string or an array of parts",
            ));
        }
    };
    if content.is_empty() && role != Role::Assistant && !fields.contains_key("tool_calls") {
        return Err(bad("messages", "a message needs content"));
    }
    // A plain text message is rebuilt by any provider; anything more (tool calls, a
    // tool result, parts, a name) goes to OpenAI-compatible providers as it came.
    let simple = plain
        && fields
            .keys()
            .all(|key| matches!(key.as_str(), "role" | "content"))
        && fields.get("role").and_then(Value::as_str) != Some("developer");
    Ok(LlmMessage {
        role,
        content,
        raw: (!simple).then(|| value.clone()),
    })
}

/// The text parts of a content array, joined.
fn text_of(parts: &[Value]) -> Result<String, ApiError> {
    let mut text = String::new();
    for part in parts {
        match part.get("type").and_then(Value::as_str) {
            Some("text") => {
                let piece = part
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("messages", "a text part needs a string `text`"))?;
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(piece);
            }
            Some(_) => {}
            None => return Err(bad("messages", "each content part needs a `type`")),
        }
    }
    Ok(text)
}

/// The `prompt` of a legacy completion request: a string.
pub(super) fn prompt(fields: &Map<String, Value>) -> Result<String, ApiError> {
    match fields.get("prompt") {
        Some(Value::String(prompt)) => Ok(prompt.clone()),
        Some(Value::Array(items)) if items.len() == 1 && items[0].is_string() => {
            Ok(items[0].as_str().unwrap_or_default().to_owned())
        }
        _ => Err(bad("prompt", "must be a string")),
    }
}
