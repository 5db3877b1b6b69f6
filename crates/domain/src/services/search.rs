//! Semantic search over the user's past messages.

use std::sync::Arc;

use super::ServiceError;
use crate::ports::{
    EmbedError, Embedder, EmbeddingPurpose, MessageIndex, MessageSearchHit, MessageSearchQuery,
};
use crate::{ChatId, UserId, ValidationError};

/// A search as a client asks it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub chat_id: Option<ChatId>,
    pub limit: Option<u32>,
    pub similarity_threshold: Option<f32>,
}

/// The search use case.
pub struct SearchService {
    index: Arc<dyn MessageIndex>,
    embedder: Arc<dyn Embedder>,
    default_threshold: f32,
}

const MAX_QUERY_CHARS: usize = 2_000;
const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;

impl SearchService {
    pub fn new(
        index: Arc<dyn MessageIndex>,
        embedder: Arc<dyn Embedder>,
        default_threshold: f32,
    ) -> Self {
        Self {
            index,
            embedder,
            default_threshold,
        }
    }

    /// The user's messages closest in meaning to the query, best first.
    pub async fn search(
        &self,
        owner: UserId,
        request: SearchRequest,
    ) -> Result<Vec<MessageSearchHit>, ServiceError> {
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
        let embedding = self
            .embedder
            .embed(&[query.to_owned()], EmbeddingPurpose::Query)
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
                chat_id: request.chat_id,
                limit,
                min_similarity,
            })
            .await?)
    }
}
