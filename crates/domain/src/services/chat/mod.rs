//! Chatting: a prompt goes to the model with the chat's history and the user's
//! memories; the user's message is stored before the model is called and the answer is
//! stored whatever happens (complete, incomplete or error). Also the chat list, history
//! pages served from the cache, renaming and deletion.
//!
//! A turn is one pipeline whatever the front door (`POST /chat`, `/v1`): `answer`
//! runs admit → open → context → generate → finish (one module each), delivered
//! whole or streamed.

mod admit;
mod answer;
mod budget;
mod catalog;
mod context;
mod events;
mod finish;
mod generate;
mod guard;
mod history;
mod open;
mod request;
mod resume;
mod review;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ports::{
    AnswerLog, ChatCache, ChatRepository, Clock, GenerationSlots, IdempotencyStore, LlmError,
    ModelCatalog, ModelRouter, Quota, RateLimiter, StoreError, Tasks, Telemetry,
};
use crate::services::ServiceError;
use crate::services::auth::{AuthError, AuthService, Refusal};
use crate::services::memory::MemoryService;
use crate::services::usage::UsageService;
use crate::{Chat, Message, ModelName, Sectors, UserPreference, ValidationError};

pub use events::{AnswerEvent, EventNumbering};
pub use history::{CacheStatus, ChatPage, ChatPageRequest, NewChatRequest};
pub use request::{
    ChatTarget, Conversation, Delivery, MemoryUse, TurnEvent, TurnOutput, TurnRequest, TurnStream,
};
pub use resume::Resumed;
pub use review::ReviewRequest;

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
    /// How long a claim on an idempotency key holds unless the turn renews it.
    pub idempotency_lease: Duration,
    /// Upper bound on the answer's length asked of the model (a client's own
    /// `max_tokens` is capped to it).
    pub max_tokens: Option<u32>,
    /// How often, and after what pauses, storing an answer is tried again.
    pub store_retries: [Duration; 3],
    /// The sectors a chat may be labelled with.
    pub sectors: Sectors,
    /// How long a streamed answer's events stay in the log after the last one, for
    /// clients that reconnect.
    pub answer_log_ttl: Duration,
    /// How often a resumed stream looks for new events in the log, and how often for
    /// the stored answer while the log has nothing new.
    pub resume_poll: (Duration, Duration),
    /// How long a resumed stream waits for an answer that is still being written.
    pub resume_wait: Duration,
    /// Generations a user may have in flight at once (shared by every replica);
    /// `None` for no limit.
    pub generations_per_user: Option<u32>,
    /// How long a generation's slot holds unless the generation renews it.
    pub generation_lease: Duration,
    /// Events of a stream that wait for a slow client before generation waits too.
    pub stream_buffer: usize,
    /// How long generation waits for a client that takes no event before it goes on
    /// without it (the answer is still stored; the client may resume).
    pub stream_stall: Duration,
}

/// The longest answer asked of a model unless configured otherwise: enough for any chat
/// answer, and a bound on what one request can cost the user.
pub const DEFAULT_MAX_ANSWER_TOKENS: u32 = 4096;

/// Generations one user may have in flight unless configured otherwise: more than a
/// person or a script needs at once, few enough that one user cannot hold the server.
pub const DEFAULT_GENERATIONS_PER_USER: u32 = 8;

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
            idempotency_lease: Duration::from_secs(15),
            max_tokens: Some(DEFAULT_MAX_ANSWER_TOKENS),
            store_retries: [
                Duration::from_millis(50),
                Duration::from_millis(250),
                Duration::from_secs(1),
            ],
            sectors: Sectors::default(),
            answer_log_ttl: Duration::from_mins(15),
            resume_poll: (Duration::from_millis(50), Duration::from_secs(1)),
            resume_wait: Duration::from_mins(10),
            generations_per_user: Some(DEFAULT_GENERATIONS_PER_USER),
            generation_lease: Duration::from_secs(30),
            stream_buffer: 32,
            stream_stall: Duration::from_mins(1),
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
    #[error("the stored OpenRouter key cannot be opened")]
    KeyUnreadable,
    #[error("no such model for this user")]
    ModelNotFound,
    #[error("credential refused: {0:?}")]
    Unauthorized(Refusal),
    #[error("the server shut down while the answer was being written")]
    Interrupted,
    #[error("too many chat requests")]
    RateLimited { retry_after: Duration },
    #[error("too many generations in flight")]
    TooManyGenerations { retry_after: Duration },
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    #[error("a request with this idempotency key is still running")]
    IdempotencyInProgress,
    #[error("the model call failed")]
    Upstream(LlmError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<LlmError> for ChatError {
    fn from(error: LlmError) -> Self {
        match error {
            LlmError::KeyMissing => Self::KeyMissing,
            other => Self::Upstream(other),
        }
    }
}

impl From<StoreError> for ChatError {
    fn from(error: StoreError) -> Self {
        Self::Service(error.into())
    }
}

impl From<AuthError> for ChatError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Validation(error) => Self::Validation(error),
            AuthError::Service(error) => Self::Service(error),
            AuthError::Unauthorized(refusal) => Self::Unauthorized(refusal),
            AuthError::KeyUnreadable => Self::KeyUnreadable,
            other => Self::Service(ServiceError::Unknown(other.into())),
        }
    }
}

/// What memory did for one turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryReport {
    pub used: Vec<UserPreference>,
    pub saved: Vec<UserPreference>,
}

/// One answered turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatTurn {
    /// The chat after the turn (its totals include this answer); `None` when the turn
    /// was not stored (a `/v1` call without a chat), and then `message.chat_id` names
    /// no stored chat.
    pub chat: Option<Chat>,
    /// The assistant's message.
    pub message: Message,
    pub memories: MemoryReport,
    /// Why generation stopped, as the model said.
    pub finish_reason: Option<String>,
    /// Tool calls the model asked for (OpenAI format).
    pub tool_calls: Option<serde_json::Value>,
    /// The model that answered in place of the custom model asked for (its fallback).
    pub fallback: Option<ModelName>,
}

/// The ports chatting needs.
#[derive(Clone)]
pub struct ChatPorts {
    pub chats: Arc<dyn ChatRepository>,
    pub cache: Arc<dyn ChatCache>,
    /// The events of streamed answers while they are written, for clients that reconnect.
    pub answers: Arc<dyn AnswerLog>,
    /// Picks the provider that answers for a model id.
    pub models: Arc<dyn ModelRouter>,
    /// The upstream's model list, for clients that ask which models exist.
    pub catalog: Arc<dyn ModelCatalog>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub limiter: Arc<dyn RateLimiter>,
    /// The slots of generations in flight.
    pub generations: Arc<dyn GenerationSlots>,
    pub tasks: Arc<dyn Tasks>,
    pub clock: Arc<dyn Clock>,
    pub telemetry: Arc<dyn Telemetry>,
}

/// The chat use case. Cheap to clone (shared ports), so a turn can run as a task of
/// its own.
#[derive(Clone)]
pub struct ChatService {
    ports: ChatPorts,
    policy: ChatPolicy,
    auth: Arc<AuthService>,
    memory: Arc<MemoryService>,
    usage: Arc<UsageService>,
}

impl ChatService {
    pub fn new(
        ports: ChatPorts,
        policy: ChatPolicy,
        auth: Arc<AuthService>,
        memory: Arc<MemoryService>,
        usage: Arc<UsageService>,
    ) -> Self {
        Self {
            ports,
            policy,
            auth,
            memory,
            usage,
        }
    }

    /// Drops a chat's cached pages after a write. A page that outlived its write would
    /// be served as current by every replica, so a failed invalidation is tried again
    /// at once, then in the background until it holds (a cache that is down serves no
    /// page meanwhile; one that dropped a command is corrected within the retries).
    async fn invalidate(&self, chat: crate::ChatId) {
        if self.ports.cache.invalidate(chat).await.is_ok() {
            return;
        }
        let cache = self.ports.cache.clone();
        let tasks = self.ports.tasks.clone();
        let retry = async move {
            let mut pause = Duration::from_millis(10);
            for attempt in 1_u32.. {
                match cache.invalidate(chat).await {
                    Ok(()) => return true,
                    Err(error) if attempt >= INVALIDATION_ATTEMPTS => {
                        tracing::error!(error = %error, chat_id = %chat, "chat cache invalidation failed; cached pages may be stale until they expire");
                        return false;
                    }
                    Err(error) => {
                        tracing::warn!(error = %error, chat_id = %chat, attempt, "chat cache invalidation failed; trying again");
                    }
                }
                tasks.sleep(pause).await;
                pause = (pause * 4).min(Duration::from_secs(10));
            }
            false
        };
        // The first retries run before the write is answered; the rest in the background.
        let mut retry = Box::pin(retry);
        let first = self.ports.tasks.sleep(Duration::from_millis(100));
        if let futures_util::future::Either::Right(_) =
            futures_util::future::select(first, &mut retry).await
        {
            return;
        }
        self.ports.tasks.spawn(Box::pin(async move {
            retry.await;
        }));
    }
}

/// How often a failed cache invalidation is tried before giving up.
const INVALIDATION_ATTEMPTS: u32 = 12;
