//! [`UserRepository`] on the `users` table.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::AsyncConnection as _;
use diesel_async::RunQueryDsl;
use diesel_async::scoped_futures::ScopedFutureExt as _;
use polychat_domain::ExternalIdentity;
use polychat_domain::ports::{
    Clock, ExternalIdentityStore, StoreError, SystemClock, UserRepository, UserUpdate,
};
use polychat_domain::{
    AccountRole, DisplayName, IssuerName, ModelName, PasswordHash, StoredSecret, User, UserId,
    Username,
};
use uuid::Uuid;

use crate::error::corrupt;
use crate::pool::{Postgres, Within as _};
use crate::schema::{external_identities, users};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
struct UserRow {
    id: Uuid,
    username: String,
    username_canonical: String,
    display_name: Option<String>,
    default_model: Option<String>,
    password_hash: String,
    openrouter_key_ciphertext: Option<String>,
    openrouter_key_hint: Option<String>,
    memory_enabled: bool,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<&User> for UserRow {
    fn from(user: &User) -> Self {
        let (ciphertext, hint) = split_key(user.openrouter_key.as_ref());
        Self {
            id: user.id.as_uuid(),
            username: user.username.as_str().to_owned(),
            username_canonical: user.username.canonical(),
            display_name: user.display_name.as_ref().map(|n| n.as_str().to_owned()),
            default_model: user.default_model.as_ref().map(|m| m.as_str().to_owned()),
            password_hash: user.password_hash.as_str().to_owned(),
            openrouter_key_ciphertext: ciphertext,
            openrouter_key_hint: hint,
            memory_enabled: user.memory_enabled,
            role: user.role.as_str().to_owned(),
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

impl UserRow {
    /// The user of this row, who came from `issuer` (`None`: a local account).
    fn into_user(self, issuer: Option<&str>) -> Result<User, StoreError> {
        let mut user = User::try_from(self)?;
        user.issuer = issuer
            .map(IssuerName::parse)
            .transpose()
            .map_err(|e| corrupt("issuer", e))?;
        Ok(user)
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        let openrouter_key = match (row.openrouter_key_ciphertext, row.openrouter_key_hint) {
            (Some(ciphertext), Some(hint)) => Some(StoredSecret { ciphertext, hint }),
            _ => None,
        };
        Ok(Self {
            id: UserId::from_uuid(row.id),
            username: Username::parse(&row.username).map_err(|e| corrupt("username", e))?,
            display_name: row
                .display_name
                .as_deref()
                .map(DisplayName::parse)
                .transpose()
                .map_err(|e| corrupt("display name", e))?,
            default_model: row
                .default_model
                .as_deref()
                .map(ModelName::parse)
                .transpose()
                .map_err(|e| corrupt("default model", e))?,
            password_hash: PasswordHash::new(row.password_hash),
            openrouter_key,
            memory_enabled: row.memory_enabled,
            role: AccountRole::parse(&row.role)
                .ok_or_else(|| corrupt("role", format!("unknown role {:?}", row.role)))?,
            issuer: None,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn split_key(key: Option<&StoredSecret>) -> (Option<String>, Option<String>) {
    key.map_or((None, None), |k| {
        (Some(k.ciphertext.clone()), Some(k.hint.clone()))
    })
}

/// The columns a [`UserUpdate`] touches; `None` leaves a column as it is and
/// `Some(None)` clears a nullable one.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
#[allow(clippy::option_option)] // diesel's changeset convention, matching `UserUpdate`
struct UserChanges {
    display_name: Option<Option<String>>,
    default_model: Option<Option<String>>,
    password_hash: Option<String>,
    openrouter_key_ciphertext: Option<Option<String>>,
    openrouter_key_hint: Option<Option<String>>,
    memory_enabled: Option<bool>,
    role: Option<String>,
    updated_at: DateTime<Utc>,
}

impl UserChanges {
    /// `None` when the update changes nothing.
    fn from_update(update: UserUpdate, at: DateTime<Utc>) -> Option<Self> {
        if update.is_empty() {
            return None;
        }
        let UserUpdate {
            display_name,
            default_model,
            password_hash,
            openrouter_key,
            memory_enabled,
            role,
        } = update;
        let key = openrouter_key.map(|key| split_key(key.as_ref()));
        Some(Self {
            display_name: display_name.map(|n| n.map(String::from)),
            default_model: default_model.map(|m| m.map(String::from)),
            password_hash: password_hash.map(|h| h.as_str().to_owned()),
            openrouter_key_ciphertext: key.as_ref().map(|(c, _)| c.clone()),
            openrouter_key_hint: key.map(|(_, h)| h),
            memory_enabled,
            role: role.map(|r| r.as_str().to_owned()),
            updated_at: at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = external_identities, check_for_backend(diesel::pg::Pg))]
struct IdentityRow<'a> {
    issuer: &'a str,
    subject: &'a str,
    user_id: Uuid,
    created_at: DateTime<Utc>,
}

#[async_trait]
impl ExternalIdentityStore for Postgres {
    async fn find_user(&self, identity: &ExternalIdentity) -> Result<Option<UserId>, StoreError> {
        let mut conn = self.conn().await?;
        let found = external_identities::table
            .find((identity.issuer.as_str(), identity.subject.as_str()))
            .select(external_identities::user_id)
            .first::<Uuid>(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?;
        Ok(found.map(UserId::from_uuid))
    }

    async fn create_user(
        &self,
        identity: &ExternalIdentity,
        user: &User,
    ) -> Result<(), StoreError> {
        let row = UserRow::from(user);
        let mapping = IdentityRow {
            issuer: identity.issuer.as_str(),
            subject: identity.subject.as_str(),
            user_id: user.id.as_uuid(),
            created_at: user.created_at,
        };
        let mut conn = self.conn().await?;
        conn.transaction(|conn| {
            async move {
                diesel::insert_into(users::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                diesel::insert_into(external_identities::table)
                    .values(&mapping)
                    .execute(conn)
                    .await?;
                Ok::<_, diesel::result::Error>(())
            }
            .scope_boxed()
        })
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))
    }
}

#[async_trait]
impl UserRepository for Postgres {
    async fn create(&self, user: &User) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(users::table)
            .values(UserRow::from(user))
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map(drop)
            .map_err(|error| self.failed(error))
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        users::table
            .find(id.as_uuid())
            .left_join(external_identities::table.on(external_identities::user_id.eq(users::id)))
            .select((UserRow::as_select(), external_identities::issuer.nullable()))
            .first::<(UserRow, Option<String>)>(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?
            .map(|(row, issuer)| row.into_user(issuer.as_deref()))
            .transpose()
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        users::table
            .filter(users::username_canonical.eq(username.canonical()))
            .left_join(external_identities::table.on(external_identities::user_id.eq(users::id)))
            .select((UserRow::as_select(), external_identities::issuer.nullable()))
            .first::<(UserRow, Option<String>)>(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?
            .map(|(row, issuer)| row.into_user(issuer.as_deref()))
            .transpose()
    }

    async fn update(&self, id: UserId, update: UserUpdate) -> Result<Option<User>, StoreError> {
        let Some(changes) = UserChanges::from_update(update, SystemClock.now()) else {
            return self.find_by_id(id).await;
        };
        let mut conn = self.conn().await?;
        let Some(row) = diesel::update(users::table.find(id.as_uuid()))
            .set(changes)
            .returning(UserRow::as_returning())
            .get_result(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?
        else {
            return Ok(None);
        };
        let issuer = external_identities::table
            .filter(external_identities::user_id.eq(id.as_uuid()))
            .select(external_identities::issuer)
            .first::<String>(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?;
        row.into_user(issuer.as_deref()).map(Some)
    }

    async fn stored_keys_after(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, StoredSecret)>, StoreError> {
        let mut conn = self.conn().await?;
        let mut query = users::table
            .filter(users::openrouter_key_ciphertext.is_not_null())
            .select((
                users::id,
                users::openrouter_key_ciphertext,
                users::openrouter_key_hint,
            ))
            .order(users::id)
            .limit(i64::from(limit))
            .into_boxed();
        if let Some(after) = after {
            query = query.filter(users::id.gt(after.as_uuid()));
        }
        let rows: Vec<(Uuid, Option<String>, Option<String>)> = query
            .load(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, ciphertext, hint)| {
                Some((
                    UserId::from_uuid(id),
                    StoredSecret {
                        ciphertext: ciphertext?,
                        hint: hint?,
                    },
                ))
            })
            .collect())
    }

    async fn replace_key(
        &self,
        id: UserId,
        expected: &StoredSecret,
        replacement: &StoredSecret,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        // The WHERE clause is the compare of compare-and-swap: a key the user changed
        // since `expected` was read no longer matches, and nothing is written.
        let changed = diesel::update(
            users::table
                .find(id.as_uuid())
                .filter(users::openrouter_key_ciphertext.eq(&expected.ciphertext)),
        )
        .set((
            users::openrouter_key_ciphertext.eq(&replacement.ciphertext),
            users::openrouter_key_hint.eq(&replacement.hint),
        ))
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        Ok(changed == 1)
    }
}
