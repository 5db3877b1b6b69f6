//! Memory: embeddings, remembered preferences, the search index over past messages,
//! and the detector that finds durable statements in prompts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::{
    ChatId, Embedding, MessageId, PreferenceId, PreferenceKind, PreferenceText, Role, UserId,
    UserPreference,
};

/// Whether a text is embedded to search with (a query) or to be found (a passage);
/// asymmetric models such as e5 embed the two differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddingPurpose {
    Query,
    Passage,
}

/// Failure of the embeddings service.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("embeddings service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("embeddings service answered with {got} dimensions, expected {expected}")]
    WrongDimensions { expected: usize, got: usize },
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// Turns texts into vectors.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// The length of every vector this embedder returns.
    fn dimensions(&self) -> usize;

    /// One embedding per input, in order.
    async fn embed(
        &self,
        texts: &[String],
        purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError>;
}

/// A durable statement found in a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedPreference {
    pub text: PreferenceText,
    pub kind: PreferenceKind,
}

/// Finds durable statements about the user in a raw prompt: fast, local, no I/O.
pub trait PreferenceDetector: Send + Sync {
    /// `prompt_embedding` is the prompt's query embedding when one was computed anyway.
    fn detect(&self, prompt: &str, prompt_embedding: Option<&Embedding>)
    -> Vec<DetectedPreference>;
}

/// A preference with its similarity to a query.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPreference {
    pub preference: UserPreference,
    pub similarity: f32,
}

/// Where preferences live (pgvector). Every query is filtered by owner.
#[async_trait]
pub trait PreferenceStore: Send + Sync {
    async fn insert(&self, preference: &UserPreference) -> Result<(), StoreError>;

    /// The owner's active (not superseded) preferences, newest first.
    async fn list_active(&self, owner: UserId) -> Result<Vec<UserPreference>, StoreError>;

    /// The owner's newest `limit` active preferences of `kind`: what every prompt
    /// recalls whatever it says, bounded however many the owner holds.
    async fn active_of_kind(
        &self,
        owner: UserId,
        kind: PreferenceKind,
        limit: u32,
    ) -> Result<Vec<UserPreference>, StoreError>;

    async fn find(
        &self,
        owner: UserId,
        id: PreferenceId,
    ) -> Result<Option<UserPreference>, StoreError>;

    /// Replaces text, kind and embedding of an active preference.
    async fn update(
        &self,
        owner: UserId,
        id: PreferenceId,
        text: &PreferenceText,
        kind: PreferenceKind,
        embedding: &Embedding,
        at: DateTime<Utc>,
    ) -> Result<Option<UserPreference>, StoreError>;

    /// Marks `old` as replaced by `new`; it is never used again.
    async fn supersede(
        &self,
        owner: UserId,
        old: PreferenceId,
        new: PreferenceId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn delete(&self, owner: UserId, id: PreferenceId) -> Result<bool, StoreError>;

    /// The owner's active preferences most similar to `query`, at least `min_similarity`.
    async fn nearest(
        &self,
        owner: UserId,
        query: &Embedding,
        limit: u32,
        min_similarity: f32,
    ) -> Result<Vec<ScoredPreference>, StoreError>;
}

/// One message as the search index holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedMessage {
    pub owner: UserId,
    pub chat_id: ChatId,
    pub message_id: MessageId,
    pub role: Role,
    pub content: String,
    pub created_at: DateTime<Utc>,
    pub embedding: Embedding,
}

/// A semantic search over the owner's messages.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSearchQuery {
    pub owner: UserId,
    pub embedding: Embedding,
    /// Only messages of these chats (`None`: of every chat).
    pub chats: Option<Vec<ChatId>>,
    pub limit: u32,
    pub min_similarity: f32,
}

/// A message found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSearchHit {
    pub chat_id: ChatId,
    pub message_id: MessageId,
    pub role: Role,
    pub content: String,
    pub score: f32,
    pub created_at: DateTime<Utc>,
}

/// The semantic index over past messages (pgvector). Every query is filtered by owner.
#[async_trait]
pub trait MessageIndex: Send + Sync {
    async fn index(&self, messages: &[IndexedMessage]) -> Result<(), StoreError>;

    async fn search(&self, query: &MessageSearchQuery)
    -> Result<Vec<MessageSearchHit>, StoreError>;

    async fn delete_chat(&self, owner: UserId, chat: ChatId) -> Result<(), StoreError>;
}
