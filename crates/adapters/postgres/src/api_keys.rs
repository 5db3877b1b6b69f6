//! [`ApiKeyStore`] on the `api_keys` table. Lookups go through the unique index on
//! `key_hash`; every query that takes an owner filters by `user_id` in SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use polychat_domain::ports::{ApiKeyStore, StoreError, StoredApiKey};
use polychat_domain::{ApiKey, ApiKeyHash, ApiKeyId, ApiKeyName, UserId};
use uuid::Uuid;

use crate::error::corrupt;
use crate::pool::{Postgres, Within as _};
use crate::schema::api_keys;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
struct ApiKeyRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    prefix: String,
    key_hash: Vec<u8>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl ApiKeyRow {
    fn new(key: &ApiKey, hash: &ApiKeyHash) -> Self {
        Self {
            id: key.id.as_uuid(),
            user_id: key.user_id.as_uuid(),
            name: key.name.as_str().to_owned(),
            prefix: key.prefix.clone(),
            key_hash: hash.as_bytes().to_vec(),
            created_at: key.created_at,
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
        }
    }
}

impl TryFrom<ApiKeyRow> for StoredApiKey {
    type Error = StoreError;

    fn try_from(row: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(Self {
            key: ApiKey {
                id: ApiKeyId::from_uuid(row.id),
                user_id: UserId::from_uuid(row.user_id),
                name: ApiKeyName::parse(&row.name).map_err(|e| corrupt("API key name", e))?,
                prefix: row.prefix,
                created_at: row.created_at,
                expires_at: row.expires_at,
                last_used_at: row.last_used_at,
            },
            hash: ApiKeyHash::new(row.key_hash),
        })
    }
}

#[async_trait]
impl ApiKeyStore for Postgres {
    async fn create(&self, key: &ApiKey, hash: &ApiKeyHash) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(api_keys::table)
            .values(ApiKeyRow::new(key, hash))
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map(drop)
            .map_err(|error| self.failed(error))
    }

    async fn list(&self, owner: UserId) -> Result<Vec<ApiKey>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ApiKeyRow> = api_keys::table
            .filter(api_keys::user_id.eq(owner.as_uuid()))
            .order((api_keys::created_at.desc(), api_keys::id.desc()))
            .select(ApiKeyRow::as_select())
            .load(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        rows.into_iter()
            .map(|row| StoredApiKey::try_from(row).map(|stored| stored.key))
            .collect()
    }

    async fn find_by_hash(&self, hash: &ApiKeyHash) -> Result<Option<StoredApiKey>, StoreError> {
        let mut conn = self.conn().await?;
        api_keys::table
            .filter(api_keys::key_hash.eq(hash.as_bytes()))
            .select(ApiKeyRow::as_select())
            .first(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?
            .map(StoredApiKey::try_from)
            .transpose()
    }

    async fn delete(&self, owner: UserId, id: ApiKeyId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let deleted = diesel::delete(
            api_keys::table
                .find(id.as_uuid())
                .filter(api_keys::user_id.eq(owner.as_uuid())),
        )
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        Ok(deleted == 1)
    }

    async fn touch(&self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        // The condition keeps a late write of an earlier use from moving it back, and
        // makes a write that changes nothing skip the row (no dead tuple).
        diesel::update(
            api_keys::table.find(id.as_uuid()).filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.lt(at)),
            ),
        )
        .set(api_keys::last_used_at.eq(at))
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map(drop)
        .map_err(|error| self.failed(error))
    }
}
