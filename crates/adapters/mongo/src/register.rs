//! The register chats were listed from before `listing`: which chats a user had,
//! found without searching. Only read now, once per owner whose chats predate the list
//! index, to index them; new chats are not registered.
//!
//! `chat_counters` holds one document per owner (`_id` = owner id) counting the slots
//! taken; `chat_slots` holds one document per chat (`_id` = `<owner>:<slot>`) naming it.
//! Reading it is two reads by `_id` (every slot up to the counter, then their chats):
//! its cost grows with every chat the user ever had, which is why listing moved off it.
//! Slots are numbered by the counter (see `numbering`); slots of deleted chats are
//! removed when the register is read.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use mongodb::bson::doc;
use polychat_domain::ports::StoreError;
use polychat_domain::{Chat, UserId};

use crate::connect::Mongo;
use crate::deadline::{Call as _, Within as _};
use crate::documents::{ChatDocument, SlotDocument, slot_key};
use crate::numbering;

impl Mongo {
    /// Every chat in the owner's register, in no particular order.
    pub(crate) async fn registered_chats(&self, owner: UserId) -> Result<Vec<Chat>, StoreError> {
        let counter = self
            .chat_counters
            .find_one(doc! { "_id": owner.to_string() })
            .on(self)
            .await?;
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
        let found = self.chats.find(filter).on(self).await?;
        let found: Vec<ChatDocument> = found.try_collect().on(self).await?;
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
        let found = self.chat_slots.find(filter).on(self).await?;
        found.try_collect().on(self).await
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
