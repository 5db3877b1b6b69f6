//! The state every handler shares: the use cases and the readiness checks. Built once
//! by the wiring, outside the HTTP server, and shared by every worker.

use std::sync::Arc;

use polychat_domain::services::api_keys::ApiKeyService;
use polychat_domain::services::auth::AuthService;
use polychat_domain::services::chat::ChatService;
use polychat_domain::services::memory::MemoryService;
use polychat_domain::services::search::SearchService;

use crate::readiness::Readiness;
use crate::tasks::BackgroundTasks;

pub struct AppState {
    pub auth: Arc<AuthService>,
    /// Personal API keys; also authenticates every request (access token or key).
    pub api_keys: ApiKeyService,
    pub chats: ChatService,
    pub memory: Arc<MemoryService>,
    pub search: SearchService,
    pub readiness: Readiness,
    /// The background tasks the use cases started; shutdown drains them.
    pub tasks: Arc<BackgroundTasks>,
}
