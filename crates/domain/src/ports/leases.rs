//! Leases shared by every replica: work that one replica at a time should do (the
//! retention sweep) is done by the holder of its lease. A lease lapses when its holder
//! stops renewing it (a crash), so another replica takes over.

use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreError;

#[async_trait]
pub trait Leases: Send + Sync {
    /// Takes the lease `name` for `holder` for `ttl` when nobody holds it, or renews it
    /// when `holder` does. Returns whether `holder` holds it now.
    async fn hold(&self, name: &str, holder: Uuid, ttl: Duration) -> Result<bool, StoreError>;

    /// Gives the lease up if `holder` holds it.
    async fn release(&self, name: &str, holder: Uuid) -> Result<(), StoreError>;
}
