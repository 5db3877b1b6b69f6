//! A chat's messages by position: claiming a free position for a new message, reading
//! a page of positions, finding a message's position by its id, removing a history.
//!
//! Positions are numbered by the chat's `message_count` (see `numbering`); every read and write here addresses documents by `_id` (one key, or
//! `$in` a page of keys), so their cost does not grow with the store.

use futures_util::TryStreamExt;
use mongodb::bson::{Document, doc};
use polychat_domain::ports::StoreError;
use polychat_domain::{ChatId, Message, MessageId, UserId};

use crate::connect::Mongo;
use crate::deadline::{Call as _, Within as _};
use crate::documents::{MessageDocument, message_key, to_i64};
use crate::numbering;

/// Histories are removed this many messages at a time.
const DELETE_BATCH: u64 = 500;

pub(crate) fn owned(owner: UserId, id: ChatId) -> Document {
    doc! { "_id": id.to_string(), "owner": owner.to_string() }
}

fn position_of(owner: UserId, chat: ChatId, id: MessageId) -> Document {
    doc! { "_id": id.to_string(), "chat_id": chat.to_string(), "owner": owner.to_string() }
}

fn keys(chat: ChatId, positions: std::ops::Range<u64>) -> Vec<String> {
    positions
        .map(|position| message_key(chat, position))
        .collect()
}

impl Mongo {
    /// Stores `message` at the first free position from `first` on and returns it.
    pub(crate) async fn claim_free_position(
        &self,
        owner: UserId,
        message: &Message,
        first: u64,
    ) -> Result<u64, StoreError> {
        numbering::claim(first, async |position| {
            let document = MessageDocument::new(owner, message, position);
            let inserted = self
                .messages
                .insert_one(document)
                .within(self.deadline)
                .await;
            inserted.map(drop).map_err(|error| self.failed(error))
        })
        .await
    }

    /// Takes back the copy of `message` written at `position`, and nothing else there.
    pub(crate) async fn remove_message(&self, message: &Message, position: u64) {
        let filter = doc! {
            "_id": message_key(message.chat_id, position),
            "message_id": message.id.to_string(),
        };
        if let Err(error) = self.messages.delete_one(filter).within(self.deadline).await {
            tracing::warn!(error = %error, chat_id = %message.chat_id,
                "could not remove a message whose id was refused");
        }
    }

    /// Points the message's position document at `position` and makes the chat's
    /// count cover it.
    pub(crate) async fn moved(
        &self,
        owner: UserId,
        message: &Message,
        position: u64,
    ) -> Result<(), StoreError> {
        let filter = position_of(owner, message.chat_id, message.id);
        let moved = doc! { "$set": { "position": to_i64(position) } };
        self.positions.update_one(filter, moved).on(self).await?;
        let cover = doc! { "$max": { "message_count": to_i64(position + 1) } };
        self.chats
            .update_one(owned(owner, message.chat_id), cover)
            .on(self)
            .await?;
        Ok(())
    }

    /// The position of message `id` in the owner's chat, if it is there.
    pub(crate) async fn position(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
    ) -> Result<Option<u64>, StoreError> {
        let found = self
            .positions
            .find_one(position_of(owner, chat, id))
            .within(self.deadline)
            .await;
        Ok(found
            .map_err(|error| self.failed(error))?
            .map(|found| found.position()))
    }

    /// The owner's messages at `positions` that exist, in no particular order.
    async fn read(
        &self,
        owner: UserId,
        chat: ChatId,
        positions: std::ops::Range<u64>,
    ) -> Result<Vec<MessageDocument>, StoreError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let filter = doc! {
            "_id": { "$in": keys(chat, positions) },
            "owner": owner.to_string(),
        };
        let found = self.messages.find(filter).on(self).await?;
        found.try_collect().on(self).await
    }

    /// Up to `limit` of the owner's messages below position `end`, oldest first. With
    /// `newest`, `end` is the chat's count and messages past it are looked for too.
    /// Positions with no message (an append that failed half-way) are skipped and the
    /// page reaches further back instead.
    pub(crate) async fn page(
        &self,
        owner: UserId,
        chat: ChatId,
        limit: u32,
        end: u64,
        newest: bool,
    ) -> Result<Vec<Message>, StoreError> {
        let wanted = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut start = end.saturating_sub(u64::from(limit));
        let read = async |positions| self.read(owner, chat, positions).await;
        let mut found = if newest {
            numbering::read_from(start, end, MessageDocument::position, read).await?
        } else {
            read(start..end).await?
        };
        found.sort_unstable_by_key(MessageDocument::position);
        if found.len() > wanted {
            found.drain(..found.len() - wanted);
        }
        while found.len() < wanted && start > 0 {
            let missing = u64::try_from(wanted - found.len()).unwrap_or(u64::MAX);
            let earlier = start.saturating_sub(missing);
            let mut batch = self.read(owner, chat, earlier..start).await?;
            batch.sort_unstable_by_key(MessageDocument::position);
            batch.append(&mut found);
            found = batch;
            start = earlier;
        }
        found.into_iter().map(Message::try_from).collect()
    }

    /// Removes the messages at positions below `count` and their position documents.
    pub(crate) async fn delete_history(
        &self,
        owner: UserId,
        chat: ChatId,
        count: u64,
    ) -> Result<(), StoreError> {
        let raw = self.messages.clone_with_type::<Document>();
        let mut start = 0;
        while start < count {
            let end = count.min(start + DELETE_BATCH);
            let filter = doc! {
                "_id": { "$in": keys(chat, start..end) },
                "owner": owner.to_string(),
            };
            let ids: Vec<String> = raw
                .find(filter.clone())
                .projection(doc! { "message_id": 1 })
                .on(self)
                .await?
                .try_filter_map(async |found| {
                    Ok(found.get_str("message_id").ok().map(str::to_owned))
                })
                .try_collect()
                .on(self)
                .await?;
            if !ids.is_empty() {
                let positions = doc! { "_id": { "$in": ids }, "owner": owner.to_string() };
                self.positions.delete_many(positions).on(self).await?;
            }
            self.messages.delete_many(filter).on(self).await?;
            start = end;
        }
        Ok(())
    }

    /// Removes whatever is left of a chat's history once the chat document is gone:
    /// a search by chat and owner (an index on MongoDB), for the rare retry after a
    /// deletion that failed half-way.
    pub(crate) async fn sweep_history(
        &self,
        owner: UserId,
        chat: ChatId,
    ) -> Result<(), StoreError> {
        let filter = doc! { "chat_id": chat.to_string(), "owner": owner.to_string() };
        self.positions.delete_many(filter.clone()).on(self).await?;
        self.messages.delete_many(filter).on(self).await?;
        Ok(())
    }
}
