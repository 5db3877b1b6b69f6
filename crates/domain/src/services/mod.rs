//! Use cases: plain structs holding the ports they need. Handlers call these, never
//! adapters.

pub mod api_keys;
pub mod auth;
pub mod chat;
pub mod custom_models;
pub mod issuers;
pub mod master_key;
pub mod memory;
pub mod retention;
pub mod search;
mod stamped_cache;
pub mod usage;

use std::time::Duration;

use crate::ValidationError;
use crate::ports::StoreError;

/// Failures every use case shares: bad input, and stores that are down or broken.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("a required store is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::Duplicate => Self::Unknown(anyhow::anyhow!("unexpected duplicate")),
            StoreError::Unknown(cause) => Self::Unknown(cause),
        }
    }
}

/// Rounds a retry delay up to whole milliseconds so it is never reported as zero.
pub(crate) fn at_least_a_millisecond(delay: Duration) -> Duration {
    delay.max(Duration::from_millis(1))
}
