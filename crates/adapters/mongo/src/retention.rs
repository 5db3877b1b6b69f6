//! The retention sweep's reads and deletes: chats last updated before a date, and a
//! chat's expiry in the order that survives a crash (messages first, the chat last,
//! and only if it was not updated meanwhile). `chats.updated_at` is indexed for
//! MongoDB; FerretDB scans, which a sweep running every few minutes in batches affords.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use mongodb::bson::{Document, doc};
use polychat_domain::ports::StoreError;
use polychat_domain::{Chat, ChatId, UserId};

use crate::connect::Mongo;
use crate::deadline::Call as _;
use crate::documents::bson_time;
use crate::history::owned;

impl Mongo {
    pub(crate) async fn stale_chats(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(UserId, ChatId)>, StoreError> {
        let raw = self.chats.clone_with_type::<Document>();
        let found: Vec<Document> = raw
            .find(doc! { "updated_at": { "$lt": bson_time(before) } })
            .projection(doc! { "_id": 1, "owner": 1 })
            .limit(i64::from(limit))
            .on(self)
            .await?
            .try_collect()
            .on(self)
            .await?;
        found
            .iter()
            .map(|document| {
                let id = document
                    .get_str("_id")
                    .ok()
                    .and_then(|id| ChatId::parse(id).ok());
                let owner = document
                    .get_str("owner")
                    .ok()
                    .and_then(|owner| UserId::parse(owner).ok());
                owner.zip(id).ok_or_else(|| {
                    StoreError::Unknown(anyhow::anyhow!("a stored chat has no valid id or owner"))
                })
            })
            .collect()
    }

    pub(crate) async fn expire(
        &self,
        owner: UserId,
        id: ChatId,
        before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let found = self.chats.find_one(owned(owner, id)).on(self).await?;
        let Some(chat) = found.map(Chat::try_from).transpose()? else {
            return Ok(false);
        };
        if chat.updated_at >= before {
            return Ok(false);
        }
        self.delete_history(owner, id, chat.message_count).await?;
        self.sweep_history(owner, id).await?;
        let mut still_stale = owned(owner, id);
        still_stale.insert("updated_at", doc! { "$lt": bson_time(before) });
        let deleted = self.chats.delete_one(still_stale).on(self).await?;
        if deleted.deleted_count == 1 {
            self.unindex_chat(owner, id, chat.updated_at).await;
        }
        Ok(deleted.deleted_count == 1)
    }
}
