//! Semantic search over the user's past messages, in one chat, in the chats with some
//! labels (project, sector), or everywhere.

use std::sync::Arc;

use super::ServiceError;
use super::memory::MemoryService;
use crate::ports::{
    ChatRepository, EmbedError, EmbeddingPurpose, MessageIndex, MessageSearchHit,
    MessageSearchQuery, StoreError,
};
use crate::{ChatId, ChatLabels, LabelsRequest, Sectors, UserId, ValidationError};

/// A search as a client asks it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub chat_id: Option<ChatId>,
    /// Only chats with these labels.
    pub labels: LabelsRequest,
    pub limit: Option<u32>,
    pub similarity_threshold: Option<f32>,
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The chat asked for is not one of the caller's (or does not exist).
    #[error("no such chat")]
    ChatNotFound,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<ValidationError> for SearchError {
    fn from(error: ValidationError) -> Self {
        Self::Service(error.into())
    }
}

impl From<StoreError> for SearchError {
    fn from(error: StoreError) -> Self {
        Self::Service(error.into())
    }
}

/// The search use case.
pub struct SearchService {
    index: Arc<dyn MessageIndex>,
    /// Embeds the query, in the lane of calls someone waits for.
    memory: Arc<MemoryService>,
    /// Where the chats with some labels are found.
    chats: Arc<dyn ChatRepository>,
    sectors: Sectors,
    default_threshold: f32,
}

const MAX_QUERY_CHARS: usize = 2_000;
const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;

impl SearchService {
    pub fn new(
        index: Arc<dyn MessageIndex>,
        memory: Arc<MemoryService>,
        chats: Arc<dyn ChatRepository>,
        sectors: Sectors,
        default_threshold: f32,
    ) -> Self {
        Self {
            index,
            memory,
            chats,
            sectors,
            default_threshold,
        }
    }

    /// The chats a search is limited to: the one asked for, those with the labels
    /// asked for (and the one, if both are asked), or every chat (`None`).
    async fn chats(
        &self,
        owner: UserId,
        chat: Option<ChatId>,
        labels: &LabelsRequest,
    ) -> Result<Option<Vec<ChatId>>, SearchError> {
        let filter = labels.parse(&self.sectors)?;
        if let Some(chat) = chat
            && self.chats.find_chat(owner, chat).await?.is_none()
        {
            return Err(SearchError::ChatNotFound);
        }
        if filter == ChatLabels::default() {
            return Ok(chat.map(|chat| vec![chat]));
        }
        let labelled = self
            .chats
            .list_chats(owner, u32::MAX, None, &filter)
            .await?;
        Ok(Some(
            labelled
                .into_iter()
                .map(|found| found.id)
                .filter(|id| chat.is_none_or(|chat| chat == *id))
                .collect(),
        ))
    }

    /// The user's messages closest in meaning to the query, best first. A `chat_id`
    /// that is not one of the caller's chats is [`SearchError::ChatNotFound`].
    pub async fn search(
        &self,
        owner: UserId,
        request: SearchRequest,
    ) -> Result<Vec<MessageSearchHit>, SearchError> {
        let query = request.query.trim();
        if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            return Err(ValidationError::new(
                "query",
                format!("must be 1-{MAX_QUERY_CHARS} characters"),
            )
            .into());
        }
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ValidationError::new("limit", format!("must be 1-{MAX_LIMIT}")).into());
        }
        let min_similarity = request
            .similarity_threshold
            .unwrap_or(self.default_threshold);
        if !(-1.0..=1.0).contains(&min_similarity) {
            return Err(
                ValidationError::new("similarity_threshold", "must be between -1 and 1").into(),
            );
        }
        let chats = self.chats(owner, request.chat_id, &request.labels).await?;
        if chats.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let embedding = self
            .memory
            .embed_now(&[query.to_owned()], EmbeddingPurpose::Query)
            .await
            .map_err(|error: EmbedError| ServiceError::Unavailable(error.into()))?
            .pop()
            .ok_or_else(|| {
                ServiceError::Unknown(anyhow::anyhow!("the embedder returned no vector"))
            })?;
        Ok(self
            .index
            .search(&MessageSearchQuery {
                owner,
                embedding,
                chats,
                limit,
                min_similarity,
            })
            .await?)
    }
}
