//! Chatting: a prompt goes to the model with the chat's history and the user's
//! memories; the user's message is stored before the model is called and the answer is
//! stored whatever happens (complete, incomplete or error). Also the chat list, history
//! pages served from the cache, renaming and deletion.

mod context;
mod history;
mod idempotency;
mod stream;
mod turn;

use std::sync::Arc;
use std::time::Duration;

use crate::ports::{
    ChatCache, ChatRepository, Clock, IdempotencyStore, LlmError, LlmProvider, Quota, RateLimiter,
    StoreError, TaskSpawner,
};
use crate::services::ServiceError;
use crate::services::auth::{AuthError, AuthService};
use crate::services::memory::MemoryService;
use crate::{Chat, Message, ModelName, UserPreference, ValidationError};

pub use history::{CacheStatus, ChatPage, ChatPageRequest};
pub use idempotency::IdempotencyOutcome;
pub use stream::{TurnEvent, TurnStream};
pub use turn::TurnRequest;

/// Limits and defaults of chatting.
#[derive(Debug, Clone)]
pub struct ChatPolicy {
    /// The model used when neither the request nor the profile names one.
    pub default_model: ModelName,
    /// Roughly how many tokens of history go to the model with a prompt.
    pub context_token_budget: usize,
    /// At most this many recent messages are considered for the context.
    pub history_window: u32,
    /// Chat requests a user may make (shared by every replica).
    pub rate: Quota,
    /// How long an idempotency key is remembered.
    pub idempotency_ttl: Duration,
    /// Upper bound on the answer's length sent to the model.
    pub max_tokens: Option<u32>,
}

impl ChatPolicy {
    pub fn new(default_model: ModelName) -> Self {
        Self {
            default_model,
            context_token_budget: 8_000,
            history_window: 100,
            rate: Quota {
                burst: 60,
                period: Duration::from_mins(1),
            },
            idempotency_ttl: Duration::from_hours(24),
            max_tokens: None,
        }
    }
}

/// Why a chat operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("chat not found")]
    NotFound,
    #[error("the user has no OpenRouter key")]
    KeyMissing,
    #[error("too many chat requests")]
    RateLimited { retry_after: Duration },
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    #[error("a request with this idempotency key is still running")]
    IdempotencyInProgress,
    #[error("the model call failed")]
    Upstream(#[from] LlmError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for ChatError {
    fn from(error: StoreError) -> Self {
        Self::Service(error.into())
    }
}

impl From<AuthError> for ChatError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::KeyMissing => Self::KeyMissing,
            AuthError::Validation(error) => Self::Validation(error),
            AuthError::Service(error) => Self::Service(error),
            other => Self::Service(ServiceError::Unknown(other.into())),
        }
    }
}

/// What memory did for one turn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryReport {
    pub used: Vec<UserPreference>,
    pub saved: Vec<UserPreference>,
}

/// One answered prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatTurn {
    /// The chat after the turn (its totals include this answer).
    pub chat: Chat,
    /// The assistant's message.
    pub message: Message,
    pub memories: MemoryReport,
}

/// The ports chatting needs.
#[derive(Clone)]
pub struct ChatPorts {
    pub chats: Arc<dyn ChatRepository>,
    pub cache: Arc<dyn ChatCache>,
    pub llm: Arc<dyn LlmProvider>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub limiter: Arc<dyn RateLimiter>,
    pub spawner: Arc<dyn TaskSpawner>,
    pub clock: Arc<dyn Clock>,
}

/// The chat use case.
pub struct ChatService {
    ports: ChatPorts,
    policy: ChatPolicy,
    auth: Arc<AuthService>,
    memory: Arc<MemoryService>,
}

impl ChatService {
    pub fn new(
        ports: ChatPorts,
        policy: ChatPolicy,
        auth: Arc<AuthService>,
        memory: Arc<MemoryService>,
    ) -> Self {
        Self {
            ports,
            policy,
            auth,
            memory,
        }
    }

    /// Drops a chat's cached pages. A cache that is down cannot serve stale pages
    /// either, so failing to reach it is only logged.
    async fn invalidate(&self, chat: crate::ChatId) {
        if let Err(error) = self.ports.cache.invalidate(chat).await {
            tracing::warn!(error = %error, "chat cache invalidation failed");
        }
    }
}
