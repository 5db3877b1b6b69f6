//! [`MasterKeyCheckStore`] on the one-row `master_key_check` table.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use polychat_domain::ports::{MasterKeyCheckStore, StoreError};

use crate::pool::{Postgres, Within as _};
use crate::schema::master_key_check;

#[async_trait]
impl MasterKeyCheckStore for Postgres {
    async fn record_if_absent(&self, sealed: &str) -> Result<String, StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(master_key_check::table)
            .values((
                master_key_check::singleton.eq(true),
                master_key_check::sealed.eq(sealed),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        master_key_check::table
            .select(master_key_check::sealed)
            .first(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))
    }

    async fn replace(&self, sealed: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(master_key_check::table)
            .values((
                master_key_check::singleton.eq(true),
                master_key_check::sealed.eq(sealed),
            ))
            .on_conflict(master_key_check::singleton)
            .do_update()
            .set((
                master_key_check::sealed.eq(sealed),
                master_key_check::updated_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}
