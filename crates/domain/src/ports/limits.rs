//! Rate limits and idempotency records, shared by every replica.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;

/// A rate: `burst` requests at once, refilled evenly over `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub burst: u32,
    pub period: Duration,
}

/// Whether a request may go ahead, and if not, when it may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    Limited { retry_after: Duration },
}

/// A shared rate limiter (GCRA or equivalent), atomic across replicas.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Spends `cost` units of `key`'s budget if available. A cost of 0 only asks
    /// whether the budget is exhausted.
    async fn acquire(&self, key: &str, quota: Quota, cost: u32)
    -> Result<RateDecision, StoreError>;
}

/// The state of an idempotency key when a request with it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// First use: the caller owns the key and must `complete` or `release` it.
    Started,
    /// Another request with the same key is still running.
    InProgress,
    /// Finished before with the same request; here is its stored result.
    Completed(Vec<u8>),
    /// The key was used for a different request.
    Mismatch,
}

/// Records of idempotent requests, keyed per user.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for a request whose body has `fingerprint`, atomically.
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        ttl: Duration,
    ) -> Result<IdempotencyBegin, StoreError>;

    /// Stores the result of the request that owns `key`.
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        result: &[u8],
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// Gives the key up after a failure so a retry can run again.
    async fn release(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}
