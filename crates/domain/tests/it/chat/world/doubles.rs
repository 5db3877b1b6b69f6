//! The test doubles the chat world is made of: a fixed model catalog, an index whose writes a test can hold, a
//! detector that finds nothing, and a scripted model that records what was stored.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use polychat_domain::ports::{
    Completion, CompletionRequest, DetectedPreference, IndexedMessage, LlmError, LlmProvider,
    LlmStream, MessageIndex, MessageSearchHit, MessageSearchQuery, ModelCaller, ModelCatalog,
    ModelInfo, ModelRouter, PreferenceDetector, StoreError,
};
use polychat_domain::{ChatId, Embedding, Message, ModelName, UserId};
use polychat_testkit::chats::InMemoryChats;
use polychat_testkit::llm::ScriptedLlm;
use polychat_testkit::message_index::InMemoryMessageIndex;

/// The gateway answers every `vendor/model` id (custom models are the app's tests').
pub(crate) struct GatewayOnly(pub(crate) Arc<dyn LlmProvider>);

#[async_trait]
impl ModelRouter for GatewayOnly {
    async fn route(
        &self,
        model: &ModelName,
        caller: &ModelCaller,
    ) -> Result<Option<Arc<dyn LlmProvider>>, LlmError> {
        if !caller.has_gateway_key {
            return Err(LlmError::KeyMissing);
        }
        Ok(model.as_str().contains('/').then(|| self.0.clone()))
    }

    async fn custom_models(&self, _caller: &ModelCaller) -> Result<Vec<ModelInfo>, LlmError> {
        Ok(Vec::new())
    }
}

/// A fixed model list.
pub(crate) struct FixedCatalog;

#[async_trait]
impl ModelCatalog for FixedCatalog {
    async fn models(&self) -> Result<Vec<ModelInfo>, LlmError> {
        Ok(vec![ModelInfo {
            id: "vendor/listed".to_owned(),
            owned_by: "vendor".to_owned(),
            created: 0,
            name: Some("Listed".to_owned()),
            description: None,
        }])
    }
}

/// The message index, which a test can make hold its writes (to act between an
/// answer being stored and its messages being indexed).
pub(crate) struct GatedIndex {
    pub(super) inner: Arc<InMemoryMessageIndex>,
    pub(super) held: tokio::sync::watch::Sender<bool>,
}

#[async_trait]
impl MessageIndex for GatedIndex {
    async fn index(&self, messages: &[IndexedMessage]) -> Result<(), StoreError> {
        let mut held = self.held.subscribe();
        let _ = held.wait_for(|held| !*held).await;
        self.inner.index(messages).await
    }

    async fn search(
        &self,
        query: &MessageSearchQuery,
    ) -> Result<Vec<MessageSearchHit>, StoreError> {
        self.inner.search(query).await
    }

    async fn delete_chat(&self, owner: UserId, chat: ChatId) -> Result<(), StoreError> {
        self.inner.delete_chat(owner, chat).await
    }
}

/// Finds nothing: these tests are about chatting, not about learning.
pub(crate) struct NoDetector;

impl PreferenceDetector for NoDetector {
    fn detect(&self, _: &str, _: Option<&Embedding>) -> Vec<DetectedPreference> {
        Vec::new()
    }
}

/// The scripted model, which also records the chat's stored messages at the moment
/// of every call (to prove the user's message was stored before the model was asked).
pub(crate) struct WatchedLlm {
    pub(crate) script: ScriptedLlm,
    pub(super) chats: Arc<InMemoryChats>,
    pub(super) seen: Mutex<Vec<Vec<Message>>>,
}

impl WatchedLlm {
    /// The stored messages of the owner's most recent chat at each call.
    pub(crate) fn seen(&self) -> Vec<Vec<Message>> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn look(&self, owner: Option<UserId>) {
        use polychat_domain::ports::ChatRepository;
        let Some(owner) = owner else { return };
        let chats = self
            .chats
            .list_chats(owner, 1, None, &polychat_domain::ChatLabels::default())
            .await
            .unwrap_or_default();
        let mut stored = Vec::new();
        if let Some(chat) = chats.first() {
            stored = self
                .chats
                .messages(owner, chat.id, 1000, None)
                .await
                .unwrap_or_default();
        }
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(stored);
    }
}

/// The owner of the key in a request, as the fake cipher's users were set up.
fn owner_of(request: &CompletionRequest) -> Option<UserId> {
    use secrecy::ExposeSecret;
    request
        .api_key
        .expose_secret()
        .strip_prefix("sk-")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map(UserId::from_uuid)
}

#[async_trait]
impl LlmProvider for WatchedLlm {
    async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        self.look(owner_of(&request)).await;
        self.script.complete(request).await
    }

    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError> {
        self.look(owner_of(&request)).await;
        self.script.stream(request).await
    }
}
