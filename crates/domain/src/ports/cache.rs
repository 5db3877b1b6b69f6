//! The read cache of chat histories.

use async_trait::async_trait;

use super::StoreError;
use crate::{ChatId, MessageId};

/// Which page of a chat's history a cached entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChatPageKey {
    pub limit: u32,
    pub before: Option<MessageId>,
}

/// The result of a cache lookup. A miss carries the chat's cache generation, which the
/// caller hands back to [`ChatCache::put`] so that a page read before a concurrent
/// write is never stored after it (a read is never stale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLookup {
    Hit(Vec<u8>),
    Miss { generation: u64 },
}

/// Cache of serialized chat pages, keyed by chat and page.
#[async_trait]
pub trait ChatCache: Send + Sync {
    async fn get(&self, chat: ChatId, page: ChatPageKey) -> Result<CacheLookup, StoreError>;

    /// Stores a page unless the chat changed since the lookup that returned `generation`.
    async fn put(
        &self,
        chat: ChatId,
        page: ChatPageKey,
        generation: u64,
        body: &[u8],
    ) -> Result<(), StoreError>;

    /// Drops every cached page of the chat and moves its generation on.
    async fn invalidate(&self, chat: ChatId) -> Result<(), StoreError>;
}
