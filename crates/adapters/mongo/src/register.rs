//! Each owner's chat register: which chats a user has, found without searching.
//!
//! `chat_counters` holds one document per owner (`_id` = owner id) counting the slots
//! taken; `chat_slots` holds one document per chat (`_id` = `<owner>:<slot>`) naming it.
//! Listing a user's chats is then two reads by `_id` (the slots, then their chats),
//! served from the `_id` index by every MongoDB-compatible server, whatever the size of
//! the store. Slots are numbered by the counter (see `numbering`); slots of deleted
//! chats are removed the next time the register is read.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use mongodb::bson::doc;
use mongodb::options::ReturnDocument;
use polychat_domain::ports::StoreError;
use polychat_domain::{Chat, UserId};

use crate::connect::Mongo;
use crate::deadline::Within as _;
use crate::documents::{ChatDocument, SlotDocument, slot_key, to_i64};
use crate::numbering;

impl Mongo {
    /// Gives `chat` (already stored) a slot in its owner's register.
    pub(crate) async fn register_chat(&self, chat: &Chat) -> Result<(), StoreError> {
        let first = self.take_count(chat.owner).await?;
        self.claim_slot(chat, first).await
    }

    /// Gives `chat` (already stored) the first free slot from `first` (a value the
    /// owner's counter gave out) on.
    pub(crate) async fn claim_slot(&self, chat: &Chat, first: u64) -> Result<(), StoreError> {
        let slot = numbering::claim(first, async |slot| {
            let document = SlotDocument::new(chat.owner, slot, chat.id);
            let inserted = self
                .chat_slots
                .insert_one(document)
                .within(self.deadline)
                .await;
            inserted.map(drop).map_err(|error| self.failed(error))
        })
        .await?;
        if slot != first {
            let cover = doc! { "$max": { "count": to_i64(slot + 1) } };
            let owner = chat.owner.to_string();
            let covered = self.chat_counters.update_one(doc! { "_id": &owner }, cover);
            covered
                .within(self.deadline)
                .await
                .map_err(|error| self.failed(error))?;
        }
        Ok(())
    }

    /// Adds one to the owner's counter, creating it at zero, and returns its value
    /// before. Two first registrations at once can both try to create the counter; the
    /// one refused as a duplicate then finds it and counts on. A value taken but never
    /// used leaves a gap, which reads step over.
    pub(crate) async fn take_count(&self, owner: UserId) -> Result<u64, StoreError> {
        let owner = owner.to_string();
        let mut attempt = 0;
        loop {
            let counter = self
                .chat_counters
                .find_one_and_update(doc! { "_id": &owner }, doc! { "$inc": { "count": 1_i64 } })
                .upsert(true)
                .return_document(ReturnDocument::Before)
                .within(self.deadline)
                .await
                .map_err(|error| self.failed(error));
            match counter {
                Ok(counter) => return Ok(counter.map_or(0, |counter| counter.count())),
                Err(StoreError::Duplicate) if attempt < 3 => attempt += 1,
                Err(error) => return Err(error),
            }
        }
    }

    /// Every chat in the owner's register, in no particular order.
    pub(crate) async fn registered_chats(&self, owner: UserId) -> Result<Vec<Chat>, StoreError> {
        let counter = self
            .chat_counters
            .find_one(doc! { "_id": owner.to_string() })
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        let Some(count) = counter.map(|counter| counter.count()) else {
            return Ok(Vec::new());
        };
        let read = async |slots| self.slots(owner, slots).await;
        let slots = numbering::read_from(0, count, SlotDocument::slot, read).await?;
        if slots.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = slots.iter().map(|slot| slot.chat_id.as_str()).collect();
        let filter = doc! { "_id": { "$in": ids }, "owner": owner.to_string() };
        let found = self
            .chats
            .find(filter)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        let found: Vec<ChatDocument> = found
            .try_collect()
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        let chats = found
            .into_iter()
            .map(Chat::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        self.release_stale_slots(owner, &slots, &chats).await;
        Ok(chats)
    }

    async fn slots(
        &self,
        owner: UserId,
        slots: std::ops::Range<u64>,
    ) -> Result<Vec<SlotDocument>, StoreError> {
        let keys: Vec<String> = slots.map(|slot| slot_key(owner, slot)).collect();
        let filter = doc! { "_id": { "$in": keys }, "owner": owner.to_string() };
        let found = self
            .chat_slots
            .find(filter)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        found
            .try_collect()
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))
    }

    /// Removes the slots whose chat was deleted. A chat is stored before its slot, so
    /// a slot without its chat is never one being created.
    async fn release_stale_slots(&self, owner: UserId, slots: &[SlotDocument], chats: &[Chat]) {
        let live: HashSet<String> = chats.iter().map(|chat| chat.id.to_string()).collect();
        let stale: Vec<&str> = slots
            .iter()
            .filter(|slot| !live.contains(&slot.chat_id))
            .map(SlotDocument::key)
            .collect();
        if stale.is_empty() {
            return;
        }
        let filter = doc! { "_id": { "$in": stale }, "owner": owner.to_string() };
        if let Err(error) = self
            .chat_slots
            .delete_many(filter)
            .within(self.deadline)
            .await
        {
            tracing::warn!(error = %error, "could not remove the slots of deleted chats");
        }
    }
}
