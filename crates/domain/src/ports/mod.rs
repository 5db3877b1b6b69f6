//! The ports: traits through which use cases reach the outside world.
//!
//! Every method returns a typed error of this module with an `Unknown` catch-all, so
//! use cases can react to the cases that matter (a duplicate, a store that is down)
//! without knowing which driver produced them.

mod answers;
mod api_keys;
mod auth;
mod cache;
mod chats;
mod clock;
mod custom_models;
mod external;
mod generations;
mod health;
mod key_check;
mod leases;
mod limits;
mod llm;
mod memory;
mod stamps;
mod telemetry;
mod usage;
mod users;
mod webhooks;

pub use answers::{AnswerLog, EventId, LoggedEvent};
pub use api_keys::{ApiKeyMinter, ApiKeyStore, MintedKey, StoredApiKey};

use futures_util::future::BoxFuture;

pub use auth::{
    AccessClaims, CipherError, PasswordHasher, RefreshClaims, Rotation, SecretCipher, SecretOwner,
    Session, SessionStore, TokenDenylist, TokenError, TokenKind, TokenPair, TokenService,
};
pub use cache::{CacheLookup, ChatCache, ChatPageKey};
pub use chats::{ChatChanges, ChatCursor, ChatRepository, MessageUpdate};
pub use clock::{Clock, SystemClock};
pub use custom_models::CustomModelRepository;
pub use external::{ExternalIdentityStore, ExternalTokenError, ExternalTokenVerifier};
pub use generations::{GenerationSlots, SlotDecision};
pub use health::HealthProbe;
pub use key_check::MasterKeyCheckStore;
pub use leases::Leases;
pub use limits::{IdempotencyBegin, IdempotencyStore, Quota, RateDecision, RateLimiter};
pub use llm::{
    Completion, CompletionRequest, GatewayKeyCheck, GenerationOptions, KeyVerdict, LlmError,
    LlmMessage, LlmProvider, LlmStream, ModelCaller, ModelCatalog, ModelInfo, ModelInput,
    ModelRouter, StreamEvent,
};
pub use memory::{
    DetectedPreference, EmbedError, Embedder, EmbeddingPurpose, IndexedMessage, MessageIndex,
    MessageSearchHit, MessageSearchQuery, PreferenceDetector, PreferenceStore, ScoredPreference,
};
pub use stamps::{Stamp, StampScope, Stamps};
pub use telemetry::{Budget, ProviderKind, Store, StoreFailure, StoreTelemetry, Telemetry};
pub use usage::UsageLedger;
pub use users::{UserRepository, UserUpdate};
pub use webhooks::{
    SigningSecrets, UrlRefusal, WebhookCall, WebhookCaller, WebhookEndpoint, WebhookKind,
    WebhookUrlGuard,
};

/// Failure of a data store (database, cache, index).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was violated (e.g. the username is taken).
    #[error("already exists")]
    Duplicate,
    /// The store could not be reached or timed out; the operation may succeed later.
    #[error("store unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// The one set of background tasks: work that must outlive the request that started it
/// (a turn whose client went away, a stream's generation, indexing after a response).
/// Shutdown drains it. Implemented by the runtime the app uses.
pub trait Tasks: Send + Sync {
    /// Runs `task` to its end, whatever happens to the caller.
    fn spawn(&self, task: BoxFuture<'static, ()>);

    /// Completes after `duration`.
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'static, ()>;

    /// Completes when shutdown asks running generations to stop (the server's grace
    /// period is about to end); a generation then stores what it has and says why.
    fn stopping(&self) -> BoxFuture<'static, ()>;
}
