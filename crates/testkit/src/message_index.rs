//! An in-memory [`MessageIndex`] with brute-force cosine search, and the contract
//! suite every implementation of that port must pass.

mod contract;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use polychat_domain::ports::{
    IndexedMessage, MessageIndex, MessageSearchHit, MessageSearchQuery, StoreError,
};
use polychat_domain::{ChatId, MessageId, UserId};

pub use contract::contract;

/// Indexed messages by id; every search is scoped to the owner, like the SQL.
#[derive(Debug, Default)]
pub struct InMemoryMessageIndex {
    rows: Mutex<HashMap<MessageId, IndexedMessage>>,
}

impl InMemoryMessageIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many messages are indexed, over all users; lets use-case tests see that
    /// indexing happened.
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many messages of one chat are indexed.
    pub fn len_of_chat(&self, owner: UserId, chat: ChatId) -> usize {
        self.rows()
            .values()
            .filter(|m| m.owner == owner && m.chat_id == chat)
            .count()
    }

    fn rows(&self) -> MutexGuard<'_, HashMap<MessageId, IndexedMessage>> {
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl MessageIndex for InMemoryMessageIndex {
    async fn index(&self, messages: &[IndexedMessage]) -> Result<(), StoreError> {
        let mut rows = self.rows();
        for message in messages {
            // Re-indexing replaces a message only within the same owner's chat, as the
            // database's upsert does; a colliding id of someone else is left alone.
            let foreign = rows
                .get(&message.message_id)
                .is_some_and(|row| row.owner != message.owner || row.chat_id != message.chat_id);
            if !foreign {
                rows.insert(message.message_id, message.clone());
            }
        }
        Ok(())
    }

    async fn search(
        &self,
        query: &MessageSearchQuery,
    ) -> Result<Vec<MessageSearchHit>, StoreError> {
        let mut hits: Vec<MessageSearchHit> = self
            .rows()
            .values()
            .filter(|m| m.owner == query.owner)
            .filter(|m| {
                query
                    .chats
                    .as_ref()
                    .is_none_or(|chats| chats.contains(&m.chat_id))
            })
            .map(|m| MessageSearchHit {
                chat_id: m.chat_id,
                message_id: m.message_id,
                role: m.role,
                content: m.content.clone(),
                score: m.embedding.cosine(&query.embedding),
                created_at: m.created_at,
            })
            .filter(|hit| hit.score >= query.min_similarity)
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok(hits)
    }

    async fn delete_chat(&self, owner: UserId, chat: ChatId) -> Result<(), StoreError> {
        self.rows()
            .retain(|_, m| !(m.owner == owner && m.chat_id == chat));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        let (alice, bob) = (UserId::generate(), UserId::generate());
        contract(&InMemoryMessageIndex::new(), alice, bob, 8).await;
    }
}
