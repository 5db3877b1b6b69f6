//! Generations in flight, counted per user by every replica together: each one holds a
//! slot of its user's budget on a lease that it renews while it runs, so a replica that
//! crashed mid-answer frees its slots when their leases run out.

use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreError;
use crate::UserId;

/// Whether a generation got a slot, and if not, when one may free itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotDecision {
    Taken,
    /// Every slot is held; the soonest lease ends in `retry_after` unless renewed.
    Full {
        retry_after: Duration,
    },
}

/// The slots of generations in flight, atomic across replicas.
#[async_trait]
pub trait GenerationSlots: Send + Sync {
    /// Takes one of `owner`'s `limit` slots for `holder` for `lease`; slots whose lease
    /// ran out are free again. A holder that has a slot already keeps it (and its lease
    /// is pushed back): taking twice never costs two slots.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn take(
        &self,
        owner: UserId,
        holder: Uuid,
        limit: u32,
        lease: Duration,
    ) -> Result<SlotDecision, StoreError>;

    /// Pushes back the end of `holder`'s lease; `false` when it has no slot any more
    /// (the lease ran out), which is not taken again.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn renew(&self, owner: UserId, holder: Uuid, lease: Duration)
    -> Result<bool, StoreError>;

    /// Frees `holder`'s slot, if it has one.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn release(&self, owner: UserId, holder: Uuid) -> Result<(), StoreError>;
}
