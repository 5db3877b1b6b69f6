//! What the use cases tell the operator's metrics: model calls and their first tokens,
//! tokens spent, history-cache hits, rate-limit refusals, and the custom models'
//! fallbacks and circuits. Every label is from a closed set or an admin-registered
//! model slug, never a user, a chat or a raw path.

use std::sync::Arc;
use std::time::Duration;

use crate::custom_model::ModelSlug;
use crate::ports::StoreError;
use crate::{ModelName, Usage};

/// Who answered a model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// The gateway (OpenRouter), for a `vendor/model` id.
    OpenRouter,
    /// A custom model's webhook, for a slug.
    Webhook,
}

impl ProviderKind {
    /// The provider a model id routes to.
    pub fn of(model: &ModelName) -> Self {
        if ModelSlug::from_model(model).is_some() {
            Self::Webhook
        } else {
            Self::OpenRouter
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenRouter => "openrouter",
            Self::Webhook => "webhook",
        }
    }
}

/// Which rate limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    /// Chat turns per user (POST /chat and /v1).
    Chat,
    /// Failed logins per username or address.
    Login,
}

impl Budget {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Login => "login",
        }
    }
}

/// Which store an adapter talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Store {
    Postgres,
    MongoDb,
    Redis,
}

impl Store {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::MongoDb => "mongodb",
            Self::Redis => "redis",
        }
    }
}

/// How a store call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreFailure {
    /// It took longer than allowed (a command, statement or pool timeout).
    Timeout,
    /// The store could not be reached.
    Unavailable,
    /// The store answered with an error.
    Error,
}

impl StoreFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Unavailable => "unavailable",
            Self::Error => "error",
        }
    }
}

/// An adapter's report of its store's failures: the adapter knows which store it is
/// and whether its driver timed out; a duplicate is an answer, not a failure.
#[derive(Clone, Default)]
pub struct StoreTelemetry {
    sink: Option<(Store, Arc<dyn Telemetry>)>,
}

impl StoreTelemetry {
    /// Reports `store`'s failures to `telemetry`.
    pub fn new(store: Store, telemetry: Arc<dyn Telemetry>) -> Self {
        Self {
            sink: Some((store, telemetry)),
        }
    }

    /// Reports `error` (when it is a failure); `timed_out` when the driver said so.
    pub fn observe(&self, error: &StoreError, timed_out: bool) {
        let Some((store, telemetry)) = &self.sink else {
            return;
        };
        let failure = match error {
            StoreError::Duplicate => return,
            StoreError::Unavailable(_) if timed_out => StoreFailure::Timeout,
            StoreError::Unavailable(_) => StoreFailure::Unavailable,
            StoreError::Unknown(_) => StoreFailure::Error,
        };
        telemetry.store_failed(*store, failure);
    }
}

impl std::fmt::Debug for StoreTelemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTelemetry")
            .field("store", &self.sink.as_ref().map(|(store, _)| store))
            .finish()
    }
}

/// Receives what the use cases observe. Implementations must not block.
pub trait Telemetry: Send + Sync {
    /// A model call ended (`outcome`: `ok` or the failure's class), `took` after the
    /// turn started.
    fn model_call(&self, provider: ProviderKind, outcome: &'static str, took: Duration);
    /// The first token of a streamed answer arrived, `after` the turn started.
    fn first_token(&self, provider: ProviderKind, after: Duration);
    /// The tokens a call used.
    fn tokens(&self, provider: ProviderKind, usage: &Usage);
    /// A chat's history was looked up in the cache.
    fn history_cache(&self, hit: bool);
    /// A rate limit refused a request.
    fn rate_limited(&self, budget: Budget);
    /// A custom model failed and its fallback answered instead.
    fn webhook_fallback(&self, model: &str);
    /// A custom model's circuit opened after repeated failures.
    fn circuit_opened(&self, model: &str);
    /// The retention sweep deleted `count` chats.
    fn chats_expired(&self, count: u64);
    /// A call to `store` failed.
    fn store_failed(&self, store: Store, failure: StoreFailure);
}
