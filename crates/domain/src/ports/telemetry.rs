//! What the use cases tell the operator's metrics: model calls and their first tokens,
//! tokens spent, history-cache hits, rate-limit refusals, and the custom models'
//! fallbacks and circuits. Every label is from a closed set or an admin-registered
//! model slug, never a user, a chat or a raw path.

use std::time::Duration;

use crate::custom_model::ModelSlug;
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
}
