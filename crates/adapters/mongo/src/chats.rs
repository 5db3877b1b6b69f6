//! [`ChatRepository`] on MongoDB. Every filter includes `owner`, so another user's chat
//! behaves exactly like a missing one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::future::{join, join3};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use polychat_domain::ports::{ChatChanges, ChatCursor, ChatRepository, MessageUpdate, StoreError};
use polychat_domain::{Chat, ChatId, ChatLabels, Message, MessageId, Review, Usage, UserId};

use crate::connect::Mongo;
use crate::deadline::{Call as _, Within as _};
use crate::documents::{
    ChatDocument, MessageDocument, PositionDocument, UsageDocument, bson_time, message_key,
    to_bson, usage_increments,
};
use crate::history::owned;

#[async_trait]
impl ChatRepository for Mongo {
    async fn create_chat(&self, chat: &Chat) -> Result<(), StoreError> {
        let document = ChatDocument::from(chat);
        self.chats.insert_one(document).on(self).await?;
        // Stored first, listed second: a chat that cannot be listed would never be
        // found, so it is taken back and the error returned.
        if let Err(error) = self.index_chat(chat.owner, chat.id, chat.updated_at).await {
            if let Err(undo) = self
                .chats
                .delete_one(owned(chat.owner, chat.id))
                .within(self.deadline)
                .await
            {
                tracing::warn!(error = %undo, chat_id = %chat.id,
                    "could not remove a chat that failed to register");
            }
            return Err(error);
        }
        Ok(())
    }

    async fn start_chat(&self, chat: &Chat, first: &[Message]) -> Result<(), StoreError> {
        if first.is_empty() {
            return self.create_chat(chat).await;
        }
        let mut opened = chat.clone();
        for message in first {
            opened.message_count += 1;
            opened.usage_total += message.usage.unwrap_or_default();
            opened.updated_at = message.created_at;
        }
        let positions: Vec<PositionDocument> = (0..)
            .zip(first)
            .map(|(position, message)| PositionDocument::new(chat.owner, message, position))
            .collect();
        let messages: Vec<MessageDocument> = (0..)
            .zip(first)
            .map(|(position, message)| MessageDocument::new(chat.owner, message, position))
            .collect();
        // Everything at once, but the chat before its list entry (see `listing`). The
        // messages of a new chat id have their positions to themselves.
        let mut chat_stored = false;
        let registered = async {
            self.chats
                .insert_one(ChatDocument::from(&opened))
                .on(self)
                .await?;
            chat_stored = true;
            self.index_chat(chat.owner, chat.id, opened.updated_at)
                .await
        };
        let (registered, positioned, written) = join3(
            registered,
            self.positions.insert_many(positions).within(self.deadline),
            self.messages.insert_many(messages).within(self.deadline),
        )
        .await;
        let outcome = registered
            .and(positioned.map(drop).map_err(|error| self.failed(error)))
            .and(written.map(drop).map_err(|error| self.failed(error)));
        if outcome.is_err() {
            self.abandon_start(chat, first, chat_stored).await;
        }
        outcome
    }

    async fn find_chat(&self, owner: UserId, id: ChatId) -> Result<Option<Chat>, StoreError> {
        let found = self
            .chats
            .find_one(owned(owner, id))
            .within(self.deadline)
            .await;
        found
            .map_err(|error| self.failed(error))?
            .map(Chat::try_from)
            .transpose()
    }

    async fn list_chats(
        &self,
        owner: UserId,
        limit: u32,
        cursor: Option<ChatCursor>,
        filter: &ChatLabels,
    ) -> Result<Vec<Chat>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.list_page(owner, limit, cursor, filter).await
    }

    async fn update_chat(
        &self,
        owner: UserId,
        id: ChatId,
        changes: &ChatChanges,
        at: DateTime<Utc>,
    ) -> Result<Option<Chat>, StoreError> {
        let mut set = doc! { "updated_at": bson_time(at) };
        if let Some(title) = &changes.title {
            set.insert("title", title.as_str());
        }
        if let Some(labels) = &changes.labels {
            set.insert("project", to_bson(&labels.project)?);
            set.insert("sector", to_bson(&labels.sector)?);
        }
        self.index_chat(owner, id, at).await?;
        let update = doc! { "$set": set };
        let before = self
            .chats
            .find_one_and_update(owned(owner, id), update)
            .return_document(ReturnDocument::Before)
            .on(self)
            .await?;
        let Some(before) = before.map(Chat::try_from).transpose()? else {
            self.unindex_chat(owner, id, at).await;
            return Ok(None);
        };
        self.moved_in_list(owner, id, before.updated_at, at).await;
        Ok(Some(Chat {
            title: changes.title.clone().unwrap_or(before.title.clone()),
            labels: changes.labels.clone().unwrap_or(before.labels.clone()),
            updated_at: DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at),
            ..before
        }))
    }

    async fn delete_chat(&self, owner: UserId, id: ChatId) -> Result<bool, StoreError> {
        // Without transactions (FerretDB has none) the chat goes first, then its
        // messages. Once the chat document is gone, no append can match it any more and
        // every read through the API stops at "chat not found". If the second step fails,
        // what remains is the owner's own messages, reachable by no other user, and a
        // retry removes them: the sweep runs whenever the chat is already gone.
        let deleted = self
            .chats
            .find_one_and_delete(owned(owner, id))
            .within(self.deadline)
            .await;
        if let Some(chat) = deleted.map_err(|error| self.failed(error))? {
            let chat = Chat::try_from(chat)?;
            self.unindex_chat(owner, id, chat.updated_at).await;
            self.delete_history(owner, id, chat.message_count).await?;
            Ok(true)
        } else {
            self.sweep_history(owner, id).await?;
            Ok(false)
        }
    }

    async fn chats_updated_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(UserId, ChatId)>, StoreError> {
        self.stale_chats(before, limit).await
    }

    async fn expire_chat(
        &self,
        owner: UserId,
        id: ChatId,
        before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.expire(owner, id, before).await
    }

    async fn append_message(&self, owner: UserId, message: &Message) -> Result<bool, StoreError> {
        let chat = owned(owner, message.chat_id);
        let usage = message.usage.unwrap_or_default();
        let mut increments = usage_increments(usage, 1);
        increments.insert("message_count", 1_i64);
        let update = doc! {
            "$inc": increments,
            "$set": { "updated_at": bson_time(message.created_at) },
        };
        // The chat is updated first, filtered by owner: the message is stored only if
        // the chat is this owner's, so a message for another user's chat is never
        // stored. The count before the update is the new message's position. The chat's
        // list entry for its new time comes first (see `listing`).
        self.index_chat(owner, message.chat_id, message.created_at)
            .await?;
        let before = self
            .chats
            .find_one_and_update(chat.clone(), update)
            .return_document(ReturnDocument::Before)
            .on(self)
            .await?;
        let Some(before) = before else {
            self.unindex_chat(owner, message.chat_id, message.created_at)
                .await;
            return Ok(false);
        };
        let before = Chat::try_from(before)?;
        self.moved_in_list(
            owner,
            message.chat_id,
            before.updated_at,
            message.created_at,
        )
        .await;
        let first = before.message_count;
        // The message's id is claimed (its position document) while the message is
        // written: a replayed id is refused as a duplicate and its new copy taken out.
        let (claimed, written) = join(
            self.positions
                .insert_one(PositionDocument::new(owner, message, first))
                .within(self.deadline),
            self.claim_free_position(owner, message, first),
        )
        .await;
        let stored = match (claimed.map_err(|error| self.failed(error)), written) {
            (Ok(_), Ok(position)) => {
                let placed = if position == first {
                    Ok(())
                } else {
                    self.moved(owner, message, position).await
                };
                if placed.is_err() {
                    self.release_position(owner, message).await;
                }
                placed
            }
            (Ok(_), Err(error)) => {
                self.release_position(owner, message).await;
                Err(error)
            }
            (Err(error), Ok(position)) => {
                self.remove_message(message, position).await;
                Err(error)
            }
            (Err(error), Err(_)) => Err(error),
        };
        if let Err(error) = stored {
            // Give the totals back, so a refused message leaves no trace.
            self.undo_append(&chat, &before, usage, message.chat_id)
                .await;
            return Err(error);
        }
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
        let Some(message) = self.message_filter(owner, chat, id).await? else {
            return Ok(false);
        };
        let set = doc! {
            "$set": {
                "content": update.content.as_str(),
                "status": to_bson(&update.status)?,
                "model": to_bson(&update.model)?,
                "usage": to_bson(&update.usage.map(UsageDocument::from))?,
                "error": to_bson(&update.error)?,
            }
        };
        let result = self
            .messages
            .update_one(message, set)
            .within(self.deadline)
            .await;
        if result.map_err(|error| self.failed(error))?.matched_count == 0 {
            return Ok(false);
        }
        // The message matched with this owner and chat, so the chat is theirs too.
        let mut totals = doc! { "$set": { "updated_at": bson_time(at) } };
        if let Some(usage) = update.usage {
            totals.insert("$inc", usage_increments(usage, 1));
        }
        self.index_chat(owner, chat, at).await?;
        let before = self
            .chats
            .find_one_and_update(owned(owner, chat), totals)
            .return_document(ReturnDocument::Before)
            .on(self)
            .await?;
        match before.map(Chat::try_from).transpose()? {
            Some(before) => self.moved_in_list(owner, chat, before.updated_at, at).await,
            None => self.unindex_chat(owner, chat, at).await,
        }
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
        let Some(message) = self.message_filter(owner, chat, id).await? else {
            return Ok(false);
        };
        let set = doc! { "$set": { "content": content, "review": to_bson(review)? } };
        let result = self.messages.update_one(message, set).on(self).await?;
        Ok(result.matched_count == 1)
    }

    async fn chat_owner(&self, id: ChatId) -> Result<Option<UserId>, StoreError> {
        let found = self
            .chats
            .find_one(doc! { "_id": id.to_string() })
            .on(self)
            .await?;
        Ok(found
            .map(Chat::try_from)
            .transpose()?
            .map(|chat| chat.owner))
    }

    async fn find_message(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError> {
        let Some(filter) = self.message_filter(owner, chat, id).await? else {
            return Ok(None);
        };
        let found = self.messages.find_one(filter).on(self).await?;
        found.map(Message::try_from).transpose()
    }

    async fn messages(
        &self,
        owner: UserId,
        chat: ChatId,
        limit: u32,
        before: Option<MessageId>,
    ) -> Result<Vec<Message>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // The page ends at `before`'s position, or after the newest message. A `before`
        // that is not a message of this chat has nothing before it.
        let end = match before {
            Some(before) => self.position(owner, chat, before).await?,
            None => self
                .find_chat(owner, chat)
                .await?
                .map(|chat| chat.message_count),
        };
        match end {
            Some(end) => self.page(owner, chat, limit, end, before.is_none()).await,
            None => Ok(Vec::new()),
        }
    }
}

impl Mongo {
    /// The filter of one message of the owner's chat, addressed by `_id` (its position
    /// is looked up by its id); `None` when the owner has no such message.
    async fn message_filter(
        &self,
        owner: UserId,
        chat: ChatId,
        id: MessageId,
    ) -> Result<Option<Document>, StoreError> {
        let Some(position) = self.position(owner, chat, id).await? else {
            return Ok(None);
        };
        Ok(Some(doc! {
            "_id": message_key(chat, position),
            "message_id": id.to_string(),
            "owner": owner.to_string(),
        }))
    }

    /// Takes back what a failed append added to the chat's totals.
    async fn undo_append(&self, chat: &Document, before: &Chat, usage: Usage, id: ChatId) {
        let mut decrements = usage_increments(usage, -1);
        decrements.insert("message_count", -1_i64);
        let undo = doc! {
            "$inc": decrements,
            "$set": { "updated_at": bson_time(before.updated_at) },
        };
        if let Err(error) = self.index_chat(before.owner, id, before.updated_at).await {
            tracing::warn!(error = %error, chat_id = %id,
                "could not list a chat at its time before a failed message insert");
            return;
        }
        let undone = self
            .chats
            .find_one_and_update(chat.clone(), undo)
            .return_document(ReturnDocument::Before)
            .on(self)
            .await
            .and_then(|found| found.map(Chat::try_from).transpose());
        match undone {
            Ok(Some(current)) => {
                self.moved_in_list(before.owner, id, current.updated_at, before.updated_at)
                    .await;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(error = %error, chat_id = %id,
                "could not undo chat totals after a failed message insert"),
        }
    }

    /// Takes back what a failed [`ChatRepository::start_chat`] wrote: the chat (only if
    /// this start stored it; its list entry is then removed by the next listing), and the
    /// first messages and their positions, matched by their own ids.
    async fn abandon_start(&self, chat: &Chat, first: &[Message], chat_stored: bool) {
        let owner = chat.owner.to_string();
        if chat_stored {
            let removed = self
                .chats
                .delete_one(owned(chat.owner, chat.id))
                .within(self.deadline)
                .await;
            if let Err(error) = removed {
                tracing::warn!(error = %error, chat_id = %chat.id,
                    "could not remove a chat whose start failed");
            }
        }
        let ids: Vec<String> = first.iter().map(|m| m.id.to_string()).collect();
        let keys: Vec<String> = (0_u64..)
            .take(first.len())
            .map(|position| message_key(chat.id, position))
            .collect();
        let positions = doc! { "_id": { "$in": &ids }, "owner": &owner };
        let messages = doc! { "_id": { "$in": keys }, "message_id": { "$in": &ids } };
        let (positions, messages) = join(
            self.positions.delete_many(positions).within(self.deadline),
            self.messages.delete_many(messages).within(self.deadline),
        )
        .await;
        if let Err(error) = positions.and(messages) {
            tracing::warn!(error = %error, chat_id = %chat.id,
                "could not remove the first messages of a chat whose start failed");
        }
    }

    /// Frees the id of a message that could not be stored, so a retry can use it.
    async fn release_position(&self, owner: UserId, message: &Message) {
        let filter = doc! { "_id": message.id.to_string(), "owner": owner.to_string() };
        if let Err(error) = self
            .positions
            .delete_one(filter)
            .within(self.deadline)
            .await
        {
            tracing::warn!(error = %error, chat_id = %message.chat_id,
                "could not release the position of a message that was not stored");
        }
    }
}
