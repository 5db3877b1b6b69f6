//! Language-model calls (OpenRouter or any OpenAI-compatible server).

use std::time::Duration;

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use secrecy::SecretString;

use crate::{ModelName, Role, Usage};

/// One message of the context sent to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmMessage {
    pub role: Role,
    pub content: String,
}

/// A chat-completion request, made with the user's own key.
#[derive(Debug)]
pub struct CompletionRequest {
    pub model: ModelName,
    pub messages: Vec<LlmMessage>,
    pub api_key: SecretString,
    pub max_tokens: Option<u32>,
}

/// A whole answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub content: String,
    /// The model that answered, as the upstream reports it.
    pub model: Option<ModelName>,
    pub usage: Usage,
}

impl Completion {
    /// The whole answer as a stream would have sent it: its content in one delta (none
    /// when empty), then `Finished` with the usage.
    #[must_use]
    pub fn into_events(self) -> Vec<StreamEvent> {
        let delta = (!self.content.is_empty()).then_some(StreamEvent::Delta(self.content));
        let finished = StreamEvent::Finished {
            model: self.model,
            usage: Some(self.usage),
        };
        delta.into_iter().chain([finished]).collect()
    }
}

/// One event of a streamed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    Delta(String),
    /// The stream ended normally; usage if the upstream reported it.
    Finished {
        model: Option<ModelName>,
        usage: Option<Usage>,
    },
}

/// A streamed answer; it ends after `Finished` or an error.
pub type LlmStream = BoxStream<'static, Result<StreamEvent, LlmError>>;

/// Why a model call failed, in the terms of the API contract.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the upstream rejected the API key")]
    Unauthorized,
    #[error("the API key has no credits left")]
    InsufficientCredits,
    #[error("the upstream is rate limiting")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("the upstream failed: {0}")]
    Upstream(String),
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
