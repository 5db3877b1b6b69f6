//! Where the master-key check value lives: one sealed constant, stored beside the
//! secrets, that tells at start-up whether the configured master keys are the ones the
//! stored secrets were sealed with.

use async_trait::async_trait;

use super::StoreError;

/// The stored check value.
#[async_trait]
pub trait MasterKeyCheckStore: Send + Sync {
    /// Stores `sealed` unless a check value is stored already; returns the one stored
    /// afterwards (the given one, or the one that was there).
    async fn record_if_absent(&self, sealed: &str) -> Result<String, StoreError>;

    /// Replaces the check value (after every secret was re-sealed under a new key).
    async fn replace(&self, sealed: &str) -> Result<(), StoreError>;
}
