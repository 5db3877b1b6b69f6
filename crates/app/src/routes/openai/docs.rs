//! The `/v1` bodies as the OpenAPI document shows them. Requests are read field by
//! field (`parse`), so these describe them for the Swagger UI and generated clients.

use polychat_domain::ports::ModelInfo;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// A model a client may pick.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenAiModel {
    #[schema(example = "openai/gpt-4o-mini")]
    pub id: String,
    #[schema(example = "model")]
    pub object: &'static str,
    /// Unix seconds.
    pub created: i64,
    /// The vendor, or `polychat` for a custom model.
    #[schema(example = "openai")]
    pub owned_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl From<ModelInfo> for OpenAiModel {
    fn from(model: ModelInfo) -> Self {
        Self {
            id: model.id,
            object: "model",
            created: model.created,
            owned_by: model.owned_by,
            name: model.name,
            description: model.description,
        }
    }
}

/// `GET /v1/models`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelListDto {
    #[schema(example = "list")]
    pub object: &'static str,
    pub data: Vec<OpenAiModel>,
}

/// One message of a chat completion request.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // a schema: read by utoipa, never built
pub struct ChatMessageBody {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    #[schema(example = "user", pattern = "^(system|developer|user|assistant|tool)$")]
    role: String,
    /// A string, or an array of parts (`{type: "text", text}`).
    #[schema(schema_with = content_schema)]
    content: Value,
}

/// A message's content as the parser reads it: text, parts, or null (an assistant's
/// tool call).
fn content_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Array,
            Type::Null,
        ]))
        .description(Some(
            "A string, or an array of parts (`{type: \"text\", text}`).",
        ))
        .examples([serde_json::json!(
            "Prefiro respostas curtas. Como organizo um workspace Rust?"
        )])
        .build()
}

/// An OpenAI chat completion request. Honoured: `model`, `messages`, `stream`,
/// `stream_options.include_usage`, `max_tokens`, `max_completion_tokens`,
/// `temperature`, `top_p`, `stop`, `seed`, `presence_penalty`, `frequency_penalty`,
/// `user`, `metadata`; `tools`, `tool_choice`, `response_format` pass through to
/// OpenRouter. Other fields are ignored; `n` other than 1 is refused.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // a schema: read by utoipa, never built
pub struct ChatCompletionBody {
    /// Blank counts as absent: the profile's `default_model`, then the server's.
    #[schema(
        example = "openai/gpt-4o-mini",
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9/_.:@+-]{1,128}[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    model: Option<String>,
    #[schema(min_items = 1)]
    messages: Vec<ChatMessageBody>,
    stream: Option<bool>,
    #[schema(value_type = Option<Object>, example = json!({"include_usage": true}))]
    stream_options: Option<Value>,
    #[schema(minimum = 1)]
    max_tokens: Option<u32>,
    #[schema(minimum = 1)]
    max_completion_tokens: Option<u32>,
    temperature: Option<f64>,
    /// Passed through to OpenRouter models: a list of tool definitions.
    #[schema(value_type = Option<Vec<Object>>)]
    tools: Option<Value>,
    #[schema(value_type = Option<Object>)]
    response_format: Option<Value>,
}

/// An OpenAI legacy completion request (`prompt` a string).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // a schema: read by utoipa, never built
pub struct CompletionBody {
    /// Blank counts as absent: the profile's `default_model`, then the server's.
    #[schema(
        example = "openai/gpt-3.5-turbo-instruct",
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9/_.:@+-]{1,128}[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    model: Option<String>,
    #[schema(example = "Once upon a time")]
    prompt: String,
    stream: Option<bool>,
    #[schema(minimum = 1)]
    max_tokens: Option<u32>,
    temperature: Option<f64>,
}
