//! [`ChatRepository`] on MongoDB. Every filter includes `owner`, so another user's chat
//! behaves exactly like a missing one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use polychat_domain::ports::{ChatCursor, ChatRepository, MessageUpdate, StoreError};
use polychat_domain::{Chat, ChatId, ChatTitle, Message, MessageId, UserId};

use crate::connect::Mongo;
use crate::documents::{
    ChatDocument, MessageDocument, UsageDocument, bson_time, to_bson, usage_increments,
};
use crate::error::store_error;

fn owned(owner: UserId, id: ChatId) -> Document {
    doc! { "_id": id.to_string(), "owner": owner.to_string() }
}

#[async_trait]
impl ChatRepository for Mongo {
    async fn create_chat(&self, chat: &Chat) -> Result<(), StoreError> {
        let document = ChatDocument::from(chat);
        self.chats.insert_one(document).await.map_err(store_error)?;
        Ok(())
    }

    async fn find_chat(&self, owner: UserId, id: ChatId) -> Result<Option<Chat>, StoreError> {
        let found = self.chats.find_one(owned(owner, id)).await;
        found.map_err(store_error)?.map(Chat::try_from).transpose()
    }

    async fn list_chats(
        &self,
        owner: UserId,
        limit: u32,
        cursor: Option<ChatCursor>,
    ) -> Result<Vec<Chat>, StoreError> {
        // MongoDB reads a limit of 0 as "no limit".
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut filter = doc! { "owner": owner.to_string() };
        if let Some(cursor) = cursor {
            let at = bson_time(cursor.updated_at);
            let after = vec![
                doc! { "updated_at": { "$lt": at } },
                doc! { "updated_at": at, "_id": { "$lt": cursor.id.to_string() } },
            ];
            filter.insert("$or", after);
        }
        let found: Vec<ChatDocument> = self
            .chats
            .find(filter)
            .sort(doc! { "updated_at": -1, "_id": -1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        found.into_iter().map(Chat::try_from).collect()
    }

    async fn rename_chat(
        &self,
        owner: UserId,
        id: ChatId,
        title: &ChatTitle,
        at: DateTime<Utc>,
    ) -> Result<Option<Chat>, StoreError> {
        let update = doc! { "$set": { "title": title.as_str(), "updated_at": bson_time(at) } };
        let renamed = self
            .chats
            .find_one_and_update(owned(owner, id), update)
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?;
        renamed.map(Chat::try_from).transpose()
    }

    async fn delete_chat(&self, owner: UserId, id: ChatId) -> Result<bool, StoreError> {
        // Without transactions (FerretDB has none) the chat goes first, then its
        // messages. Once the chat document is gone, no append can match it any more and
        // every read through the API stops at "chat not found". If the second step fails,
        // what remains is the owner's own messages, reachable by no other user, and a
        // retry removes them: messages are deleted whether or not the chat still existed.
        let deleted = self.chats.delete_one(owned(owner, id)).await;
        let existed = deleted.map_err(store_error)?.deleted_count > 0;
        let messages = doc! { "chat_id": id.to_string(), "owner": owner.to_string() };
        self.messages
            .delete_many(messages)
            .await
            .map_err(store_error)?;
        Ok(existed)
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
        // The chat is updated first, filtered by owner: the message is inserted only if
        // the chat is this owner's, so a message for another user's chat is never stored.
        let before = self
            .chats
            .find_one_and_update(chat.clone(), update)
            .return_document(ReturnDocument::Before)
            .await
            .map_err(store_error)?;
        let Some(before) = before else {
            return Ok(false);
        };
        let inserted = self
            .messages
            .insert_one(MessageDocument::new(owner, message))
            .await;
        if let Err(error) = inserted {
            // Give the totals back, so a refused message (a replayed id) leaves no trace.
            let mut decrements = usage_increments(usage, -1);
            decrements.insert("message_count", -1_i64);
            let before = Chat::try_from(before)?;
            let undo = doc! {
                "$inc": decrements,
                "$set": { "updated_at": bson_time(before.updated_at) },
            };
            if let Err(undo_error) = self.chats.update_one(chat, undo).await {
                tracing::warn!(error = %undo_error, chat_id = %message.chat_id,
                    "could not undo chat totals after a failed message insert");
            }
            return Err(store_error(error));
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
        let message = doc! {
            "_id": id.to_string(),
            "chat_id": chat.to_string(),
            "owner": owner.to_string(),
        };
        let set = doc! {
            "$set": {
                "content": update.content.as_str(),
                "status": to_bson(&update.status)?,
                "model": to_bson(&update.model)?,
                "usage": to_bson(&update.usage.map(UsageDocument::from))?,
            }
        };
        let result = self.messages.update_one(message, set).await;
        if result.map_err(store_error)?.matched_count == 0 {
            return Ok(false);
        }
        // The message matched with this owner and chat, so the chat is theirs too.
        let mut totals = doc! { "$set": { "updated_at": bson_time(at) } };
        if let Some(usage) = update.usage {
            totals.insert("$inc", usage_increments(usage, 1));
        }
        let result = self.chats.update_one(owned(owner, chat), totals).await;
        result.map_err(store_error)?;
        Ok(true)
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
        let mut filter = doc! { "chat_id": chat.to_string(), "owner": owner.to_string() };
        if let Some(before) = before {
            filter.insert("_id", doc! { "$lt": before.to_string() });
        }
        // Newest first to take the page next to `before`, then turned oldest first.
        let mut found: Vec<MessageDocument> = self
            .messages
            .find(filter)
            .sort(doc! { "_id": -1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        found.reverse();
        found.into_iter().map(Message::try_from).collect()
    }
}
