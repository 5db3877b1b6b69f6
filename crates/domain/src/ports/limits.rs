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

impl Quota {
    /// One step of the generic cell rate algorithm, for limiters that keep their state
    /// in memory (the Redis adapter runs the same arithmetic in Lua). A key keeps a
    /// theoretical arrival time, `tat` (`None` for a key never seen); a request of
    /// `cost` moves it on by `cost * period / burst` and is allowed while the new time
    /// is at most `period` ahead of `now`. A cost of 0 answers for a cost of 1 without
    /// spending it. Times are durations since any fixed origin; the second value is the
    /// arrival time to keep, `None` when it does not change.
    #[must_use]
    pub fn step(
        self,
        tat: Option<Duration>,
        now: Duration,
        cost: u32,
    ) -> (RateDecision, Option<Duration>) {
        let interval = self.period / self.burst.max(1);
        let arrival = tat.map_or(now, |tat| tat.max(now));
        let next = arrival.saturating_add(interval.saturating_mul(cost.max(1)));
        let allowed_at = next.saturating_sub(self.period);
        if allowed_at > now {
            let retry_after = allowed_at.saturating_sub(now);
            return (RateDecision::Limited { retry_after }, None);
        }
        (RateDecision::Allowed, (cost > 0).then_some(next))
    }
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
///
/// A claim is a lease: it holds for `lease` unless the request that owns it renews it,
/// so a request that died (a crash, a lost connection to the store) frees its key
/// within one lease. A completed record is kept for `retention`.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for a request whose body has `fingerprint`, atomically.
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<IdempotencyBegin, StoreError>;

    /// Extends a running claim by `lease`. Returns `false` when the claim is no longer
    /// this request's (it expired and was taken, or it completed).
    async fn renew(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<bool, StoreError>;

    /// Stores the result of the request that owns `key`.
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        result: &[u8],
        retention: Duration,
    ) -> Result<(), StoreError>;

    /// Gives a running claim up after a failure so a retry can run again. A record
    /// another request claimed meanwhile, or a completed one, stays.
    async fn release(&self, scope: &str, key: &str, fingerprint: &str) -> Result<(), StoreError>;
}
