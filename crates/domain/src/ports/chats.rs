//! Persistence of chats and their messages. Every method is scoped by the owner inside
//! the query itself: another user's chat is indistinguishable from a missing one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::{
    Chat, ChatId, ChatLabels, ChatTitle, Message, MessageError, MessageId, MessageStatus,
    ModelName, Review, Usage, UserId,
};

/// Position in the owner's chat list (newest first): the last item of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatCursor {
    pub updated_at: DateTime<Utc>,
    pub id: ChatId,
}

impl ChatCursor {
    /// The page [`ChatRepository::list_chats`] answers out of `chats` (one owner's, in
    /// any order): the chats with the labels of `filter` after `cursor`, most recently updated first with ties
    /// broken by id, at most `limit` of them.
    #[must_use]
    pub fn page(
        mut chats: Vec<Chat>,
        limit: u32,
        cursor: Option<Self>,
        filter: &ChatLabels,
    ) -> Vec<Chat> {
        chats.retain(|chat| chat.labels.matches(filter));
        if let Some(cursor) = cursor {
            chats.retain(|chat| (chat.updated_at, chat.id) < (cursor.updated_at, cursor.id));
        }
        chats.sort_unstable_by_key(|chat| std::cmp::Reverse((chat.updated_at, chat.id)));
        chats.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        chats
    }
}

/// The final state of a message whose content was streamed or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageUpdate {
    pub content: String,
    pub status: MessageStatus,
    pub model: Option<ModelName>,
    pub usage: Option<Usage>,
    pub error: Option<MessageError>,
}

/// Where chats and messages live.
/// What an owner changes in a chat's header; `None` leaves it as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatChanges {
    pub title: Option<ChatTitle>,
    /// Both labels, as they are to be.
    pub labels: Option<ChatLabels>,
}

#[async_trait]
pub trait ChatRepository: Send + Sync {
    async fn create_chat(&self, chat: &Chat) -> Result<(), StoreError>;

    /// Stores a new chat (as given, with no messages yet) together with its first
    /// messages, in order; the stored chat counts them and their usage. Either all of
    /// it is stored or, on an error, none of it is readable. A store that can write the
    /// parts at once overrides this sequence of [`Self::create_chat`] and appends.
    async fn start_chat(&self, chat: &Chat, first: &[Message]) -> Result<(), StoreError> {
        self.create_chat(chat).await?;
        for message in first {
            if !self.append_message(chat.owner, message).await? {
                return Err(StoreError::Unknown(anyhow::anyhow!(
                    "chat {} vanished while it was started",
                    chat.id
                )));
            }
        }
        Ok(())
    }

    async fn find_chat(&self, owner: UserId, id: ChatId) -> Result<Option<Chat>, StoreError>;

    /// The owner's chats with the labels `filter` sets, most recently updated first,
    /// after `cursor`.
    async fn list_chats(
        &self,
        owner: UserId,
        limit: u32,
        cursor: Option<ChatCursor>,
        filter: &ChatLabels,
    ) -> Result<Vec<Chat>, StoreError>;

    /// Applies `changes` to the owner's chat; the chat as stored after, or `None` if
    /// the owner has no such chat.
    async fn update_chat(
        &self,
        owner: UserId,
        id: ChatId,
        changes: &ChatChanges,
        at: DateTime<Utc>,
    ) -> Result<Option<Chat>, StoreError>;

    /// Deletes the chat and all its messages. Returns whether it existed.
    async fn delete_chat(&self, owner: UserId, id: ChatId) -> Result<bool, StoreError>;

    /// Up to `limit` chats, of any owner, last updated before `before`: the retention
    /// sweep's work, in no particular order.
    async fn chats_updated_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(UserId, ChatId)>, StoreError>;

    /// Deletes the chat if it was still last updated before `before`: its messages
    /// first, the chat itself last, so a sweep cut short leaves the chat to be found
    /// again and finished. Returns whether the chat was deleted; `false` if it is gone
    /// or was updated since (its messages are then kept).
    async fn expire_chat(
        &self,
        owner: UserId,
        id: ChatId,
        before: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Appends a message and adds its usage (if any) to the chat's totals.
    /// Returns `false` if the chat does not exist for this owner.
    async fn append_message(&self, owner: UserId, message: &Message) -> Result<bool, StoreError>;

    /// Sets the final content, status and usage of a message appended earlier and adds
    /// the usage to the chat's totals.
    async fn finish_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
        update: &MessageUpdate,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Stores a reviewer's verdict on a message of the owner's chat and its text
    /// (corrected or as it was). Returns `false` if the owner has no such message.
    async fn review_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
        content: &str,
        review: &Review,
    ) -> Result<bool, StoreError>;

    /// Whose chat `id` is, for an admin acting on any user's chat.
    async fn chat_owner(&self, id: ChatId) -> Result<Option<UserId>, StoreError>;

    /// One message of the owner's chat, by id.
    async fn find_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError>;

    /// Up to `limit` messages older than `before` (or the newest), oldest first.
    async fn messages(
        &self,
        owner: UserId,
        chat: ChatId,
        limit: u32,
        before: Option<MessageId>,
    ) -> Result<Vec<Message>, StoreError>;
}
