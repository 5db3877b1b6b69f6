//! [`SessionStore`] on the `sessions` table: a refresh chain rotates with one
//! conditional `UPDATE` (the token it expects, and not ended), so two refreshes racing
//! with one token cannot both win, whatever Redis remembers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use polychat_domain::UserId;
use polychat_domain::ports::{Rotation, Session, SessionStore, StoreError};
use uuid::Uuid;

use crate::pool::{Postgres, Within as _};
use crate::schema::sessions;

#[derive(Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
struct SessionRow {
    family: Uuid,
    user_id: Uuid,
    next_refresh: Uuid,
    expires_at: DateTime<Utc>,
}

#[async_trait]
impl SessionStore for Postgres {
    async fn start(&self, session: &Session) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let user = session.user.as_uuid();
        diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user))
                .filter(sessions::expires_at.lt(Utc::now())),
        )
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        let row = SessionRow {
            family: session.family,
            user_id: user,
            next_refresh: session.next_refresh,
            expires_at: session.expires_at,
        };
        diesel::insert_into(sessions::table)
            .values(&row)
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map(drop)
            .map_err(|error| self.failed(error))
    }

    async fn rotate(
        &self,
        family: Uuid,
        used: Uuid,
        next: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        let mut conn = self.conn().await?;
        let rotated = diesel::update(
            sessions::table
                .find(family)
                .filter(sessions::next_refresh.eq(used))
                .filter(sessions::ended_at.is_null()),
        )
        .set((
            sessions::next_refresh.eq(next),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        if rotated == 1 {
            return Ok(Rotation::Rotated);
        }
        let live = sessions::table
            .find(family)
            .filter(sessions::ended_at.is_null())
            .select(sessions::family)
            .first::<Uuid>(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?;
        Ok(if live.is_some() {
            Rotation::Replayed
        } else {
            Rotation::Ended
        })
    }

    async fn end(&self, family: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(
            sessions::table
                .find(family)
                .filter(sessions::ended_at.is_null()),
        )
        .set(sessions::ended_at.eq(at))
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map(drop)
        .map_err(|error| self.failed(error))
    }

    async fn end_all(
        &self,
        user: UserId,
        keep: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut conn = self.conn().await?;
        let live = sessions::table
            .filter(sessions::user_id.eq(user.as_uuid()))
            .filter(sessions::ended_at.is_null())
            .filter(sessions::expires_at.gt(at))
            .filter(sessions::family.ne(keep.unwrap_or_else(Uuid::nil)));
        diesel::update(live)
            .set(sessions::ended_at.eq(at))
            .returning(sessions::family)
            .get_results(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))
    }
}
