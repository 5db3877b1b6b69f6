//! In-memory [`ChatRepository`], and the contract suite every chat store must pass.

mod contract;
mod fixtures;
mod labels;
mod walks;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use polychat_domain::ports::{ChatChanges, ChatCursor, ChatRepository, MessageUpdate, StoreError};
use polychat_domain::{Chat, ChatId, ChatLabels, Message, MessageId, Review, UserId};
use uuid::Uuid;

pub use contract::chat_repository_contract;
pub use walks::{chat_listing_contract, message_paging_contract, owner_isolation_contract};

use crate::outage::{FailNext, Outage};

/// Chats and messages in a map, scoped by owner exactly like the real store.
#[derive(Debug, Default)]
pub struct InMemoryChats {
    state: Mutex<State>,
    outage: Outage,
    failing_message_writes: FailNext,
}

#[derive(Debug, Default)]
struct State {
    chats: HashMap<ChatId, Chat>,
    /// Ordered by id, which for UUID v7 is creation order, as in the real store.
    messages: BTreeMap<(ChatId, MessageId), Message>,
}

impl State {
    fn owned_chat(&mut self, owner: UserId, id: ChatId) -> Option<&mut Chat> {
        self.chats.get_mut(&id).filter(|chat| chat.owner == owner)
    }
}

impl InMemoryChats {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    /// Makes the next `n` message writes (`append_message`, `finish_message`) fail with
    /// [`StoreError::Unavailable`], while every other call answers: a store that fails
    /// at the moment an answer is stored.
    pub fn fail_next_message_writes(&self, n: u32) {
        self.failing_message_writes.set(n);
    }

    fn state(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        self.outage.check()?;
        Ok(self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl ChatRepository for InMemoryChats {
    async fn create_chat(&self, chat: &Chat) -> Result<(), StoreError> {
        let mut state = self.state()?;
        if state.chats.contains_key(&chat.id) {
            return Err(StoreError::Duplicate);
        }
        state.chats.insert(chat.id, chat.clone());
        Ok(())
    }

    async fn find_chat(&self, owner: UserId, id: ChatId) -> Result<Option<Chat>, StoreError> {
        Ok(self.state()?.owned_chat(owner, id).map(|chat| chat.clone()))
    }

    async fn list_chats(
        &self,
        owner: UserId,
        limit: u32,
        cursor: Option<ChatCursor>,
        filter: &ChatLabels,
    ) -> Result<Vec<Chat>, StoreError> {
        let state = self.state()?;
        let of_owner = state.chats.values().filter(|chat| chat.owner == owner);
        Ok(ChatCursor::page(
            of_owner.cloned().collect(),
            limit,
            cursor,
            filter,
        ))
    }

    async fn update_chat(
        &self,
        owner: UserId,
        id: ChatId,
        changes: &ChatChanges,
        at: DateTime<Utc>,
    ) -> Result<Option<Chat>, StoreError> {
        let mut state = self.state()?;
        Ok(state.owned_chat(owner, id).map(|chat| {
            if let Some(title) = &changes.title {
                chat.title = title.clone();
            }
            if let Some(labels) = &changes.labels {
                chat.labels = labels.clone();
            }
            chat.updated_at = at;
            chat.clone()
        }))
    }

    async fn delete_chat(&self, owner: UserId, id: ChatId) -> Result<bool, StoreError> {
        let mut state = self.state()?;
        if state.owned_chat(owner, id).is_none() {
            return Ok(false);
        }
        state.chats.remove(&id);
        state.messages.retain(|(chat, _), _| *chat != id);
        Ok(true)
    }

    async fn chats_updated_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(UserId, ChatId)>, StoreError> {
        let state = self.state()?;
        Ok(state
            .chats
            .values()
            .filter(|chat| chat.updated_at < before)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|chat| (chat.owner, chat.id))
            .collect())
    }

    async fn expire_chat(
        &self,
        owner: UserId,
        id: ChatId,
        before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state()?;
        match state.owned_chat(owner, id) {
            Some(chat) if chat.updated_at < before => {}
            _ => return Ok(false),
        }
        state.messages.retain(|(chat, _), _| *chat != id);
        state.chats.remove(&id);
        Ok(true)
    }

    async fn append_message(&self, owner: UserId, message: &Message) -> Result<bool, StoreError> {
        self.failing_message_writes.check()?;
        let mut state = self.state()?;
        let key = (message.chat_id, message.id);
        if state.messages.contains_key(&key) {
            return Err(StoreError::Duplicate);
        }
        let Some(chat) = state.owned_chat(owner, message.chat_id) else {
            return Ok(false);
        };
        chat.message_count += 1;
        chat.usage_total += message.usage.unwrap_or_default();
        chat.updated_at = message.created_at;
        state.messages.insert(key, message.clone());
        Ok(true)
    }

    async fn finish_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
        update: &MessageUpdate,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.failing_message_writes.check()?;
        let mut state = self.state()?;
        let State { chats, messages } = &mut *state;
        let Some(chat) = chats.get_mut(&chat).filter(|found| found.owner == owner) else {
            return Ok(false);
        };
        let Some(message) = messages.get_mut(&(chat.id, id)) else {
            return Ok(false);
        };
        message.content.clone_from(&update.content);
        message.status = update.status;
        message.model.clone_from(&update.model);
        message.usage = update.usage;
        message.error.clone_from(&update.error);
        chat.usage_total += update.usage.unwrap_or_default();
        chat.updated_at = at;
        Ok(true)
    }

    async fn review_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
        content: &str,
        review: &Review,
    ) -> Result<bool, StoreError> {
        self.failing_message_writes.check()?;
        let mut state = self.state()?;
        let State { chats, messages } = &mut *state;
        if chats.get(&chat).is_none_or(|found| found.owner != owner) {
            return Ok(false);
        }
        let Some(message) = messages.get_mut(&(chat, id)) else {
            return Ok(false);
        };
        content.clone_into(&mut message.content);
        message.review.clone_from(review);
        Ok(true)
    }

    async fn chat_owner(&self, id: ChatId) -> Result<Option<UserId>, StoreError> {
        Ok(self.state()?.chats.get(&id).map(|chat| chat.owner))
    }

    async fn find_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError> {
        let mut state = self.state()?;
        if state.owned_chat(owner, chat).is_none() {
            return Ok(None);
        }
        Ok(state.messages.get(&(chat, id)).cloned())
    }

    async fn messages(
        &self,
        owner: UserId,
        chat: ChatId,
        limit: u32,
        before: Option<MessageId>,
    ) -> Result<Vec<Message>, StoreError> {
        let mut state = self.state()?;
        if state.owned_chat(owner, chat).is_none() {
            return Ok(Vec::new());
        }
        if let Some(before) = before
            && !state.messages.contains_key(&(chat, before))
        {
            return Ok(Vec::new());
        }
        let lower = Bound::Included((chat, MessageId::from_uuid(Uuid::nil())));
        let upper = before.map_or(
            Bound::Included((chat, MessageId::from_uuid(Uuid::max()))),
            |id| Bound::Excluded((chat, id)),
        );
        let mut page: Vec<Message> = state
            .messages
            .range((lower, upper))
            .rev()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, message)| message.clone())
            .collect();
        page.reverse();
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        chat_repository_contract(&InMemoryChats::new()).await;
    }

    #[tokio::test]
    async fn an_outage_fails_every_call_until_it_ends() {
        let chats = InMemoryChats::new();
        chats.set_unavailable(true);
        let owner = UserId::generate();
        let result = chats
            .list_chats(owner, 10, None, &ChatLabels::default())
            .await;
        assert!(matches!(result, Err(StoreError::Unavailable(_))));
        chats.set_unavailable(false);
        assert!(
            chats
                .list_chats(owner, 10, None, &ChatLabels::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
}
