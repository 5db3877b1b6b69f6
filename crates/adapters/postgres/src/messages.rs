//! [`MessageIndex`] on the `message_embeddings` table: the semantic search over a
//! user's past messages, always filtered by owner in SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, RunQueryDsl};
use polychat_domain::ports::{
    IndexedMessage, MessageIndex, MessageSearchHit, MessageSearchQuery, StoreError,
};
use polychat_domain::{ChatId, MessageId, Role, UserId};
use uuid::Uuid;

use crate::error::corrupt;
use crate::pool::{Postgres, Within as _};
use crate::schema::message_embeddings as msgs;
use crate::search::{filtered_scan, result_limit, similarity, to_vector};
use crate::vector::{CosineDistanceMethod as _, StoredVector};

/// Rows per INSERT: 7 parameters each stays far below PostgreSQL's 65,535.
const INSERT_CHUNK: usize = 1_000;

#[derive(Insertable)]
#[diesel(table_name = msgs)]
struct NewIndexedMessage<'a> {
    message_id: Uuid,
    user_id: Uuid,
    chat_id: Uuid,
    role: &'static str,
    content: &'a str,
    created_at: DateTime<Utc>,
    embedding: StoredVector,
}

impl<'a> From<&'a IndexedMessage> for NewIndexedMessage<'a> {
    fn from(m: &'a IndexedMessage) -> Self {
        Self {
            message_id: m.message_id.as_uuid(),
            user_id: m.owner.as_uuid(),
            chat_id: m.chat_id.as_uuid(),
            role: m.role.as_str(),
            content: &m.content,
            created_at: m.created_at,
            embedding: to_vector(&m.embedding),
        }
    }
}

type HitRow = (Uuid, Uuid, String, String, DateTime<Utc>, f64);

fn parse_role(text: &str) -> Result<Role, StoreError> {
    [Role::System, Role::User, Role::Assistant]
        .into_iter()
        .find(|role| role.as_str() == text)
        .ok_or_else(|| corrupt("message role", text))
}

#[async_trait]
impl MessageIndex for Postgres {
    async fn index(&self, messages: &[IndexedMessage]) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        let rows: Vec<NewIndexedMessage<'_>> = messages.iter().map(Into::into).collect();
        let mut conn = self.conn().await?;
        conn.transaction(|conn| {
            async move {
                // `filter` on an upsert is the WHERE of its DO UPDATE, provided by this
                // trait rather than by `QueryDsl`.
                use diesel::query_dsl::methods::FilterDsl;
                for chunk in rows.chunks(INSERT_CHUNK) {
                    // Re-indexing a message replaces its text and vector, but only in
                    // the same owner's chat: an id that collides with another user's
                    // row leaves that row untouched.
                    diesel::insert_into(msgs::table)
                        .values(chunk)
                        .on_conflict(msgs::message_id)
                        .do_update()
                        .set((
                            msgs::role.eq(excluded(msgs::role)),
                            msgs::content.eq(excluded(msgs::content)),
                            msgs::created_at.eq(excluded(msgs::created_at)),
                            msgs::embedding.eq(excluded(msgs::embedding)),
                        ))
                        .filter(msgs::user_id.eq(excluded(msgs::user_id)))
                        .filter(msgs::chat_id.eq(excluded(msgs::chat_id)))
                        .execute(conn)
                        .await?;
                }
                Ok::<_, diesel::result::Error>(())
            }
            .scope_boxed()
        })
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))
    }

    async fn search(
        &self,
        query: &MessageSearchQuery,
    ) -> Result<Vec<MessageSearchHit>, StoreError> {
        let Some(limit) = result_limit(query.limit) else {
            return Ok(Vec::new());
        };
        let vector = to_vector(&query.embedding);
        let owner = query.owner.as_uuid();
        let chats: Option<Vec<Uuid>> = query
            .chats
            .as_ref()
            .map(|chats| chats.iter().map(polychat_domain::ChatId::as_uuid).collect());
        let mut conn = self.conn().await?;
        let rows: Vec<HitRow> = filtered_scan(&mut conn, limit, |conn| {
            async move {
                let mut select = msgs::table
                    .filter(msgs::user_id.eq(owner))
                    .select((
                        msgs::chat_id,
                        msgs::message_id,
                        msgs::role,
                        msgs::content,
                        msgs::created_at,
                        msgs::embedding.cosine_distance(vector.clone()),
                    ))
                    .order(msgs::embedding.cosine_distance(vector.clone()))
                    .limit(limit)
                    .into_boxed();
                if let Some(chats) = chats.clone() {
                    select = select.filter(msgs::chat_id.eq_any(chats));
                }
                select.load(conn).await
            }
            .scope_boxed()
        })
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        let mut hits = Vec::with_capacity(rows.len());
        for (chat_id, message_id, role, content, created_at, distance) in rows {
            let score = similarity(distance);
            if score >= query.min_similarity {
                hits.push(MessageSearchHit {
                    chat_id: ChatId::from_uuid(chat_id),
                    message_id: MessageId::from_uuid(message_id),
                    role: parse_role(&role)?,
                    content,
                    score,
                    created_at,
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(hits)
    }

    async fn delete_chat(&self, owner: UserId, chat: ChatId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::delete(
            msgs::table
                .filter(msgs::user_id.eq(owner.as_uuid()))
                .filter(msgs::chat_id.eq(chat.as_uuid())),
        )
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map(drop)
        .map_err(|error| self.failed(error))
    }
}
