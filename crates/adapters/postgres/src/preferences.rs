//! [`PreferenceStore`] on the `user_preferences` table; similarity search through its
//! HNSW cosine index, always filtered by owner in SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_async::scoped_futures::ScopedFutureExt;
use polychat_domain::ports::{PreferenceStore, ScoredPreference, StoreError};
use polychat_domain::{
    ChatId, Embedding, PreferenceId, PreferenceKind, PreferenceText, UserId, UserPreference,
};
use uuid::Uuid;

use crate::error::corrupt;
use crate::pool::{Postgres, Within as _};
use crate::schema::user_preferences as prefs;
use crate::search::{filtered_scan, from_vector, result_limit, similarity, to_vector};
use crate::vector::{CosineDistanceMethod as _, StoredVector};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = prefs, check_for_backend(diesel::pg::Pg))]
struct PreferenceRow {
    id: Uuid,
    user_id: Uuid,
    text: String,
    kind: String,
    embedding: StoredVector,
    source_chat_id: Option<Uuid>,
    superseded_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<&UserPreference> for PreferenceRow {
    fn from(p: &UserPreference) -> Self {
        Self {
            id: p.id.as_uuid(),
            user_id: p.owner.as_uuid(),
            text: p.text.as_str().to_owned(),
            kind: p.kind.as_str().to_owned(),
            embedding: to_vector(&p.embedding),
            source_chat_id: p.source_chat_id.map(|c| c.as_uuid()),
            superseded_by: p.superseded_by.map(|s| s.as_uuid()),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl TryFrom<PreferenceRow> for UserPreference {
    type Error = StoreError;

    fn try_from(row: PreferenceRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: PreferenceId::from_uuid(row.id),
            owner: UserId::from_uuid(row.user_id),
            text: PreferenceText::parse(&row.text).map_err(|e| corrupt("preference", e))?,
            kind: PreferenceKind::parse(&row.kind).map_err(|e| corrupt("preference kind", e))?,
            embedding: from_vector(&row.embedding),
            source_chat_id: row.source_chat_id.map(ChatId::from_uuid),
            superseded_by: row.superseded_by.map(PreferenceId::from_uuid),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl Postgres {
    /// The owner's active preferences, newest first: of `kind` and at most `limit` when
    /// given.
    async fn active(
        &self,
        owner: UserId,
        kind: Option<PreferenceKind>,
        limit: Option<u32>,
    ) -> Result<Vec<UserPreference>, StoreError> {
        let mut conn = self.conn().await?;
        let mut query = prefs::table
            .filter(prefs::user_id.eq(owner.as_uuid()))
            .filter(prefs::superseded_by.is_null())
            .order((prefs::created_at.desc(), prefs::id.desc()))
            .select(PreferenceRow::as_select())
            .into_boxed();
        if let Some(kind) = kind {
            query = query.filter(prefs::kind.eq(kind.as_str()));
        }
        if let Some(limit) = limit {
            query = query.limit(i64::from(limit));
        }
        query
            .load(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?
            .into_iter()
            .map(UserPreference::try_from)
            .collect()
    }
}

#[async_trait]
impl PreferenceStore for Postgres {
    async fn insert(&self, preference: &UserPreference) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(prefs::table)
            .values(PreferenceRow::from(preference))
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map(drop)
            .map_err(|error| self.failed(error))
    }

    async fn list_active(&self, owner: UserId) -> Result<Vec<UserPreference>, StoreError> {
        self.active(owner, None, None).await
    }

    async fn active_of_kind(
        &self,
        owner: UserId,
        kind: PreferenceKind,
        limit: u32,
    ) -> Result<Vec<UserPreference>, StoreError> {
        self.active(owner, Some(kind), Some(limit)).await
    }

    async fn find(
        &self,
        owner: UserId,
        id: PreferenceId,
    ) -> Result<Option<UserPreference>, StoreError> {
        let mut conn = self.conn().await?;
        prefs::table
            .find(id.as_uuid())
            .filter(prefs::user_id.eq(owner.as_uuid()))
            .select(PreferenceRow::as_select())
            .first(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?
            .map(UserPreference::try_from)
            .transpose()
    }

    async fn update(
        &self,
        owner: UserId,
        id: PreferenceId,
        text: &PreferenceText,
        kind: PreferenceKind,
        embedding: &Embedding,
        at: DateTime<Utc>,
    ) -> Result<Option<UserPreference>, StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(
            prefs::table
                .find(id.as_uuid())
                .filter(prefs::user_id.eq(owner.as_uuid()))
                .filter(prefs::superseded_by.is_null()),
        )
        .set((
            prefs::text.eq(text.as_str()),
            prefs::kind.eq(kind.as_str()),
            prefs::embedding.eq(to_vector(embedding)),
            prefs::updated_at.eq(at),
        ))
        .returning(PreferenceRow::as_returning())
        .get_result(&mut conn)
        .within(self.deadline)
        .await
        .optional()
        .map_err(|error| self.failed(error))?
        .map(UserPreference::try_from)
        .transpose()
    }

    async fn supersede(
        &self,
        owner: UserId,
        old: PreferenceId,
        new: PreferenceId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let changed = diesel::update(
            prefs::table
                .find(old.as_uuid())
                .filter(prefs::user_id.eq(owner.as_uuid()))
                .filter(prefs::superseded_by.is_null()),
        )
        .set((
            prefs::superseded_by.eq(new.as_uuid()),
            prefs::updated_at.eq(at),
        ))
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        Ok(changed == 1)
    }

    async fn delete(&self, owner: UserId, id: PreferenceId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let deleted = diesel::delete(
            prefs::table
                .find(id.as_uuid())
                .filter(prefs::user_id.eq(owner.as_uuid())),
        )
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        Ok(deleted == 1)
    }

    async fn nearest(
        &self,
        owner: UserId,
        query: &Embedding,
        limit: u32,
        min_similarity: f32,
    ) -> Result<Vec<ScoredPreference>, StoreError> {
        let Some(limit) = result_limit(limit) else {
            return Ok(Vec::new());
        };
        let query = to_vector(query);
        let mut conn = self.conn().await?;
        let rows: Vec<(PreferenceRow, f64)> = filtered_scan(&mut conn, limit, |conn| {
            async move {
                // Ordering by the distance expression itself lets the planner use
                // the HNSW index; the threshold is applied afterwards, because a
                // distance filter in SQL would make the scan walk the whole graph
                // whenever fewer than `limit` rows pass it.
                prefs::table
                    .filter(prefs::user_id.eq(owner.as_uuid()))
                    .filter(prefs::superseded_by.is_null())
                    .select((
                        PreferenceRow::as_select(),
                        prefs::embedding.cosine_distance(query.clone()),
                    ))
                    .order(prefs::embedding.cosine_distance(query.clone()))
                    .limit(limit)
                    .load(conn)
                    .await
            }
            .scope_boxed()
        })
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        let mut scored = rows
            .into_iter()
            .map(|(row, distance)| {
                Ok(ScoredPreference {
                    preference: UserPreference::try_from(row)?,
                    similarity: similarity(distance),
                })
            })
            .filter(|hit| {
                hit.as_ref()
                    .map_or(true, |hit| hit.similarity >= min_similarity)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        scored.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        Ok(scored)
    }
}
