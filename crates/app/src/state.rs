//! The state every handler shares: the use cases and the readiness checks. Built once
//! by the wiring, outside the HTTP server, and shared by every worker.

use std::sync::Arc;

use polychat_domain::services::api_keys::ApiKeyService;
use polychat_domain::services::auth::AuthService;
use polychat_domain::services::chat::ChatService;
use polychat_domain::services::custom_models::CustomModelService;
use polychat_domain::services::memory::MemoryService;
use polychat_domain::services::search::SearchService;
use polychat_domain::services::usage::UsageService;

use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::tasks::BackgroundTasks;

pub struct AppState {
    pub auth: Arc<AuthService>,
    /// Personal API keys; also authenticates every request (access token or key).
    pub api_keys: ApiKeyService,
    pub chats: ChatService,
    /// The custom-model registry (admin routes); the chat's router reads it too.
    pub models: Arc<CustomModelService>,
    pub memory: Arc<MemoryService>,
    pub search: SearchService,
    /// The usage ledger (the turns record into it, the usage routes read it).
    pub usage: Arc<UsageService>,
    pub readiness: Readiness,
    /// The background tasks the use cases started; shutdown drains them.
    pub tasks: Arc<BackgroundTasks>,
    /// The service's metrics, rendered by `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// The bearer token `GET /metrics` needs, when one is configured.
    pub metrics_token: Option<secrecy::SecretString>,
    /// Silence after which a server-sent event stream gets a keep-alive comment.
    pub sse_keepalive: std::time::Duration,
    /// How long a client may take to send a request's headers, and then its body.
    pub request_timeout: std::time::Duration,
    /// The sectors chats may be labelled with; the served OpenAPI document lists them.
    pub sectors: polychat_domain::Sectors,
}
