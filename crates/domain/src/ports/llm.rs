//! Language-model calls (OpenRouter or any OpenAI-compatible server).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{AccountRole, ModelName, Role, Usage, UserId, Username};

/// One message of the context sent to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LlmMessage {
    pub role: Role,
    /// The message's text (a client's text parts joined).
    pub content: String,
    /// The message exactly as an OpenAI-compatible client sent it, when it carries more
    /// than text (tool calls, a tool result, image parts). Providers that speak the same
    /// format send it as it came; others read `role` and `content`.
    pub raw: Option<Value>,
}

impl LlmMessage {
    pub fn text(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            raw: None,
        }
    }
}

/// What the model is asked to continue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ModelInput {
    /// A conversation (`/chat/completions`).
    Chat(Vec<LlmMessage>),
    /// A bare text prompt (the legacy `/completions`).
    Text(String),
}

/// Generation settings beside the input. `extra` holds request fields an
/// OpenAI-compatible client set (sampling settings, `tools`, `tool_choice`,
/// `response_format`, ...) for providers of the same format, as they came.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GenerationOptions {
    pub max_tokens: Option<u32>,
    pub extra: Map<String, Value>,
}

/// A model call, made with the user's own key.
#[derive(Debug)]
pub struct CompletionRequest {
    pub model: ModelName,
    pub input: ModelInput,
    pub api_key: SecretString,
    pub options: GenerationOptions,
}

/// A whole answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub content: String,
    /// The model that answered, as the upstream reports it.
    pub model: Option<ModelName>,
    pub usage: Usage,
    /// Why generation stopped, as the upstream said (`stop`, `length`, `tool_calls`, ...).
    pub finish_reason: Option<String>,
    /// Tool calls the model asked for, in the OpenAI format.
    pub tool_calls: Option<Value>,
}

impl Completion {
    /// The whole answer as a stream would have sent it: its content in one delta (none
    /// when empty), then `Finished` with the usage.
    #[must_use]
    pub fn into_events(self) -> Vec<StreamEvent> {
        let delta = (!self.content.is_empty()).then_some(StreamEvent::Delta(self.content));
        let tools = self.tool_calls.map(StreamEvent::ToolCalls);
        let finished = StreamEvent::Finished {
            model: self.model,
            usage: Some(self.usage),
            finish_reason: self.finish_reason,
        };
        delta.into_iter().chain(tools).chain([finished]).collect()
    }
}

/// One event of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Another model than the one asked answers this stream (a custom model's fallback
    /// took over before any content); it comes first.
    Rerouted(ModelName),
    Delta(String),
    /// Tool-call fragments of one chunk, in the OpenAI format (`delta.tool_calls`).
    ToolCalls(Value),
    /// The stream ended normally; usage if the upstream reported it.
    Finished {
        model: Option<ModelName>,
        usage: Option<Usage>,
        finish_reason: Option<String>,
    },
}

/// A streamed answer; it ends after `Finished` or an error.
pub type LlmStream = BoxStream<'static, Result<StreamEvent, LlmError>>;

/// Why a model call failed, in the terms of the API contract.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the upstream rejected the API key")]
    Unauthorized,
    /// The gateway was asked for but the user has no key for it.
    #[error("the user has no OpenRouter key")]
    KeyMissing,
    #[error("the API key has no credits left")]
    InsufficientCredits,
    #[error("the upstream is rate limiting")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("the upstream failed: {0}")]
    Upstream(String),
    /// The upstream answered with an HTTP status that is not a success.
    #[error("the upstream failed: {detail}")]
    Status { status: u16, detail: String },
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// A chat-completion provider.
#[async_trait]
pub trait LlmProvider: Send + Sync {
    async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError>;

    /// Starts a streamed completion. Errors before the first byte come back here;
    /// errors after it come through the stream.
    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError>;
}

/// What the gateway said of a user's key when it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyVerdict {
    /// The gateway knows the key.
    Accepted,
    /// The gateway refused it (unknown, revoked or disabled).
    Rejected,
    /// The gateway could not be asked (down, timed out, or an answer that says
    /// neither); why, in words safe to show the user.
    Unchecked(String),
}

/// Asks the gateway whether a key it would be given is one it knows.
#[async_trait]
pub trait GatewayKeyCheck: Send + Sync {
    async fn check(&self, key: &SecretString) -> KeyVerdict;
}

/// A model a client may pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    pub id: String,
    /// The vendor (`openai`, ...) or `polychat` for a custom model.
    pub owned_by: String,
    pub created: i64,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The models an upstream offers.
#[async_trait]
pub trait ModelCatalog: Send + Sync {
    /// The upstream's models, possibly from a cache.
    async fn models(&self) -> Result<Vec<ModelInfo>, LlmError>;
}

/// Who a model call is for: what decides which models they may use, and what a custom
/// model's webhook is told about them.
#[derive(Debug, Clone)]
pub struct ModelCaller {
    pub user_id: UserId,
    pub username: Username,
    pub role: AccountRole,
    /// The conversation's id for the model's own memory (the chat id, or the client's
    /// session id, or a fresh one).
    pub session_id: String,
    /// Whether the user has an OpenRouter key (the gateway needs one).
    pub has_gateway_key: bool,
}

/// Which provider answers for a model id.
#[async_trait]
pub trait ModelRouter: Send + Sync {
    /// The provider of `model` for `caller`, or `None` when no provider knows it or the
    /// caller may not use it.
    async fn route(
        &self,
        model: &ModelName,
        caller: &ModelCaller,
    ) -> Result<Option<Arc<dyn LlmProvider>>, LlmError>;

    /// The models `caller` may pick besides the gateway's catalog.
    async fn custom_models(&self, caller: &ModelCaller) -> Result<Vec<ModelInfo>, LlmError>;
}
