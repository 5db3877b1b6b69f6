//! Stamps: values shared by every replica that change whenever something a replica may
//! remember changes, so what one replica stores is seen by all of them at their next
//! request (see `services::stamped_cache`).

use async_trait::async_trait;

use super::StoreError;
use crate::UserId;

/// What a stamp covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StampScope {
    /// A user's credentials and account: API keys, the OpenRouter key, role, profile.
    Account(UserId),
    /// The custom-model registry: every model, its settings and secrets.
    ModelRegistry,
}

/// A stamp's value. Random, never counted, so a store that loses it hands out a new one
/// and every remembered copy turns stale instead of matching again by chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub u64);

/// Where every replica reads the stamps.
#[async_trait]
pub trait Stamps: Send + Sync {
    /// The scope's stamp, made (at random) when it has none.
    async fn current(&self, scope: StampScope) -> Result<Stamp, StoreError>;

    /// Gives the scope a new stamp; called after a change is stored, before it is
    /// reported done.
    async fn renew(&self, scope: StampScope) -> Result<(), StoreError>;
}
