//! Each owner's chats in list order, read a page at a time.
//!
//! `chat_index` holds one entry per chat under the key
//! `<owner>:<inverted updated_at>:<inverted chat id>` (fixed width), so ascending keys
//! are the list's order, newest first, ties by id as the cursor orders them. A page is
//! then one `_id`-range read of about the page's size, plus one read of its chats by
//! `_id`: served from the `_id` index by every MongoDB-compatible server (FerretDB uses
//! no other) and independent of how many chats the owner ever had.
//!
//! Without transactions the entry and the chat change apart, so writes keep an order
//! that never loses a chat from the list: the entry for a chat's new time is written
//! before the chat takes that time, and the entry for its old time is removed after.
//! An entry whose time is not its chat's (a write that failed half-way, a race) is
//! stepped over; one whose chat is gone is removed (a chat is stored before its first
//! entry, so such a chat was deleted, not one being created).
//!
//! Owners whose chats predate the index are indexed once, from the old register (see
//! `register`), on their first listing; `chat_lists` marks the owners that are.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use mongodb::bson::doc;
use polychat_domain::ports::{ChatCursor, StoreError};
use polychat_domain::{Chat, ChatId, ChatLabels, UserId};
use serde::{Deserialize, Serialize};

use crate::connect::Mongo;
use crate::deadline::{Call as _, Within as _};
use crate::documents::{ChatDocument, bson_time};

/// One chat's place in its owner's list.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct EntryDocument {
    #[serde(rename = "_id")]
    key: String,
    owner: String,
    chat_id: String,
    updated_at: mongodb::bson::DateTime,
}

/// An owner whose chats are all in the index.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ListedOwner {
    #[serde(rename = "_id")]
    owner: String,
}

/// Entries read past the page's size in one go, for entries that are stepped over.
const SLACK: u32 = 8;

/// The most entries one read asks for.
const MAX_BATCH: u32 = 500;

/// The key of `chat`'s entry at `at`: later times and, at one time, greater ids sort
/// first.
fn entry_key(owner: UserId, at: DateTime<Utc>, chat: ChatId) -> String {
    let millis = at.timestamp_millis();
    // Shifted into u64 (order kept), then inverted.
    let shifted = millis.cast_unsigned() ^ (1 << 63);
    let inverted_id = !chat.as_uuid().as_u128();
    format!("{owner}:{:020}:{inverted_id:032x}", u64::MAX - shifted)
}

fn page_end(owner: UserId) -> String {
    // ';' follows ':', so every key of this owner is below it.
    format!("{owner};")
}

impl Mongo {
    /// Puts `chat` in its owner's list at `at`.
    pub(crate) async fn index_chat(
        &self,
        owner: UserId,
        chat: ChatId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let entry = EntryDocument {
            key: entry_key(owner, at, chat),
            owner: owner.to_string(),
            chat_id: chat.to_string(),
            updated_at: bson_time(at),
        };
        let inserted = self
            .chat_index
            .insert_one(entry)
            .within(self.deadline)
            .await;
        match inserted.map_err(|error| self.failed(error)) {
            Ok(_) | Err(StoreError::Duplicate) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Takes `chat`'s entry at `at` out of the list (after the chat left that time); a
    /// failure leaves an entry that listings step over.
    pub(crate) async fn unindex_chat(&self, owner: UserId, chat: ChatId, at: DateTime<Utc>) {
        let filter = doc! { "_id": entry_key(owner, at, chat), "owner": owner.to_string() };
        if let Err(error) = self
            .chat_index
            .delete_one(filter)
            .within(self.deadline)
            .await
        {
            tracing::warn!(error = %error, chat_id = %chat, "could not remove a chat's old list entry");
        }
    }

    /// Moves `chat` in the list from `from` to `to`, once the chat has taken `to`.
    pub(crate) async fn moved_in_list(
        &self,
        owner: UserId,
        chat: ChatId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) {
        if from.timestamp_millis() != to.timestamp_millis() {
            self.unindex_chat(owner, chat, from).await;
        }
    }

    /// A page of the owner's chats, newest first, after `cursor`, matching `filter`.
    pub(crate) async fn list_page(
        &self,
        owner: UserId,
        limit: u32,
        cursor: Option<ChatCursor>,
        filter: &ChatLabels,
    ) -> Result<Vec<Chat>, StoreError> {
        self.ensure_listed(owner).await?;
        let wanted = usize::try_from(limit).unwrap_or(usize::MAX);
        let batch = limit.saturating_add(SLACK).min(MAX_BATCH);
        let mut after = cursor.map_or_else(
            || format!("{owner}:"),
            |cursor| entry_key(owner, cursor.updated_at, cursor.id),
        );
        let mut page = Vec::new();
        loop {
            let entries = self.entries(owner, &after, batch).await?;
            let Some(last) = entries.last() else { break };
            after.clone_from(&last.key);
            let full = entries.len() >= usize::try_from(batch).unwrap_or(usize::MAX);
            let mut chats = self.chats_of(owner, &entries).await?;
            let mut gone = Vec::new();
            for entry in &entries {
                match chats.remove(&entry.chat_id) {
                    None => gone.push(entry.key.as_str()),
                    Some(chat)
                        if bson_time(chat.updated_at) == entry.updated_at
                            && chat.labels.matches(filter) =>
                    {
                        page.push(chat);
                        if page.len() == wanted {
                            break;
                        }
                    }
                    Some(_) => {}
                }
            }
            self.forget(owner, &gone).await;
            if page.len() == wanted || !full {
                break;
            }
        }
        Ok(page)
    }

    async fn entries(
        &self,
        owner: UserId,
        after: &str,
        batch: u32,
    ) -> Result<Vec<EntryDocument>, StoreError> {
        let filter = doc! {
            "_id": { "$gt": after, "$lt": page_end(owner) },
            "owner": owner.to_string(),
        };
        let found = self
            .chat_index
            .find(filter)
            .sort(doc! { "_id": 1 })
            .limit(i64::from(batch))
            .on(self)
            .await?;
        let entries: Vec<EntryDocument> = found.try_collect().on(self).await?;
        self.counted(entries.len());
        Ok(entries)
    }

    /// The chats `entries` name, by id.
    async fn chats_of(
        &self,
        owner: UserId,
        entries: &[EntryDocument],
    ) -> Result<HashMap<String, Chat>, StoreError> {
        let ids: Vec<&str> = entries.iter().map(|entry| entry.chat_id.as_str()).collect();
        let filter = doc! { "_id": { "$in": ids }, "owner": owner.to_string() };
        let found = self.chats.find(filter).on(self).await?;
        let found: Vec<ChatDocument> = found.try_collect().on(self).await?;
        self.counted(found.len());
        found
            .into_iter()
            .map(|document| Chat::try_from(document).map(|chat| (chat.id.to_string(), chat)))
            .collect()
    }

    /// Removes the entries of deleted chats.
    async fn forget(&self, owner: UserId, keys: &[&str]) {
        if keys.is_empty() {
            return;
        }
        let filter = doc! { "_id": { "$in": keys }, "owner": owner.to_string() };
        if let Err(error) = self
            .chat_index
            .delete_many(filter)
            .within(self.deadline)
            .await
        {
            tracing::warn!(error = %error, "could not remove the list entries of deleted chats");
        }
    }

    /// Indexes the owner's chats from the old register, once.
    async fn ensure_listed(&self, owner: UserId) -> Result<(), StoreError> {
        let listed_owner = doc! { "_id": owner.to_string() };
        let listed = self.chat_lists.find_one(listed_owner).on(self).await?;
        self.counted(1);
        if listed.is_some() {
            return Ok(());
        }
        for chat in self.registered_chats(owner).await? {
            self.index_chat(owner, chat.id, chat.updated_at).await?;
        }
        let marked = self
            .chat_lists
            .insert_one(ListedOwner {
                owner: owner.to_string(),
            })
            .within(self.deadline)
            .await;
        match marked.map_err(|error| self.failed(error)) {
            Ok(_) | Err(StoreError::Duplicate) => Ok(()),
            Err(error) => Err(error),
        }
    }

    fn counted(&self, documents: usize) {
        self.documents_read.fetch_add(
            u64::try_from(documents).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_newest_first_then_by_greater_id() {
        let owner = UserId::generate();
        let at = |millis| DateTime::from_timestamp_millis(millis).unwrap();
        let (low, high) = (
            ChatId::from_uuid(uuid::Uuid::from_u128(1)),
            ChatId::from_uuid(uuid::Uuid::from_u128(u128::MAX - 1)),
        );
        let mut keys = [
            entry_key(owner, at(-5), high),
            entry_key(owner, at(1_700_000_000_000), low),
            entry_key(owner, at(1_700_000_000_000), high),
            entry_key(owner, at(0), low),
        ];
        let expected = keys.clone();
        let order = [2, 1, 3, 0];
        keys.sort();
        assert_eq!(keys, order.map(|i| expected[i].clone()));
        assert!(
            keys.iter()
                .all(|key| key.as_str() < page_end(owner).as_str())
        );
        assert!(keys.iter().all(|key| key.len() == keys[0].len()));
    }
}
