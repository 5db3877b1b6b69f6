//! In-memory GCRA rate limiter and the rate-limiter contract suite.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use polychat_domain::ports::{Clock, Quota, RateDecision, RateLimiter, StoreError};

use crate::outage::Outage;

/// The generic cell rate algorithm ([`Quota::step`]) over a [`Clock`].
pub struct InMemoryRateLimiter {
    clock: Arc<dyn Clock>,
    /// Theoretical arrival time per key, since the epoch.
    arrivals: Mutex<HashMap<String, Duration>>,
    outage: Outage,
}

impl fmt::Debug for InMemoryRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryRateLimiter")
            .finish_non_exhaustive()
    }
}

impl InMemoryRateLimiter {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            arrivals: Mutex::default(),
            outage: Outage::default(),
        }
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn acquire(
        &self,
        key: &str,
        quota: Quota,
        cost: u32,
    ) -> Result<RateDecision, StoreError> {
        self.outage.check()?;
        let since_epoch = self.clock.now().timestamp_micros();
        let now = Duration::from_micros(u64::try_from(since_epoch).unwrap_or(0));
        let mut arrivals = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        let (decision, tat) = quota.step(arrivals.get(key).copied(), now, cost);
        if let Some(tat) = tat {
            arrivals.insert(key.to_owned(), tat);
        }
        Ok(decision)
    }
}

async fn expect_allowed(limiter: &dyn RateLimiter, key: &str, quota: Quota, cost: u32) {
    let decision = limiter.acquire(key, quota, cost).await.expect("acquire");
    assert_eq!(
        decision,
        RateDecision::Allowed,
        "{key}: cost {cost} should pass"
    );
}

async fn expect_limited(limiter: &dyn RateLimiter, key: &str, quota: Quota, cost: u32) -> Duration {
    match limiter.acquire(key, quota, cost).await.expect("acquire") {
        RateDecision::Limited { retry_after } => retry_after,
        RateDecision::Allowed => panic!("{key}: cost {cost} should be limited"),
    }
}

/// The behaviour every [`RateLimiter`] must show. `wait` lets `by` pass: it moves the
/// fake's clock, or sleeps in front of a real store (about 1 s in all).
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn rate_limiter_contract(limiter: &dyn RateLimiter, wait: impl AsyncFn(Duration)) {
    let hour = Duration::from_hours(1);
    let key = |name: &str| format!("contract:{name}:{}", uuid::Uuid::new_v4());

    let burst = key("burst");
    let quota = Quota {
        burst: 3,
        period: hour,
    };
    for _ in 0..3 {
        expect_allowed(limiter, &burst, quota, 1).await;
    }
    let retry_after = expect_limited(limiter, &burst, quota, 1).await;
    let interval = hour / 3;
    assert!(
        retry_after <= interval && retry_after > interval.saturating_sub(Duration::from_secs(5)),
        "retry after one emission interval, got {retry_after:?}"
    );
    let peeked = expect_limited(limiter, &burst, quota, 0).await;
    assert!(
        peeked <= retry_after,
        "a peek at an exhausted budget says when, got {peeked:?}"
    );
    expect_allowed(limiter, &key("other"), quota, 1).await;

    let peek = key("peek");
    let pair = Quota {
        burst: 2,
        period: hour,
    };
    for _ in 0..5 {
        expect_allowed(limiter, &peek, pair, 0).await;
    }
    expect_allowed(limiter, &peek, pair, 1).await;
    expect_allowed(limiter, &peek, pair, 1).await;
    expect_limited(limiter, &peek, pair, 1).await;

    let costly = key("cost");
    let four = Quota {
        burst: 4,
        period: hour,
    };
    expect_allowed(limiter, &costly, four, 3).await;
    let short = expect_limited(limiter, &costly, four, 2).await;
    assert!(short <= hour / 4, "one unit is missing, got {short:?}");
    expect_allowed(limiter, &costly, four, 1).await;
    expect_limited(limiter, &costly, four, 1).await;

    let refill = key("refill");
    let quick = Quota {
        burst: 2,
        period: Duration::from_secs(2),
    };
    expect_allowed(limiter, &refill, quick, 1).await;
    expect_allowed(limiter, &refill, quick, 1).await;
    let retry_after = expect_limited(limiter, &refill, quick, 1).await;
    assert!(retry_after <= Duration::from_secs(1), "got {retry_after:?}");
    wait(retry_after + Duration::from_millis(50)).await;
    expect_allowed(limiter, &refill, quick, 1).await;
    expect_limited(limiter, &refill, quick, 1).await;
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn passes_the_contract() {
        let clock = Arc::new(ManualClock::default());
        let limiter = InMemoryRateLimiter::new(clock.clone());
        let wait = async |by: Duration| clock.advance(TimeDelta::from_std(by).unwrap());
        rate_limiter_contract(&limiter, wait).await;
    }

    #[tokio::test]
    async fn retry_after_is_exact_on_a_still_clock() {
        let clock = Arc::new(ManualClock::default());
        let limiter = InMemoryRateLimiter::new(clock.clone());
        let quota = Quota {
            burst: 4,
            period: Duration::from_mins(1),
        };
        for _ in 0..4 {
            expect_allowed(&limiter, "k", quota, 1).await;
        }
        let retry_after = expect_limited(&limiter, "k", quota, 1).await;
        assert_eq!(retry_after, Duration::from_secs(15));
        clock.advance(TimeDelta::seconds(15));
        expect_allowed(&limiter, "k", quota, 1).await;
        limiter.set_unavailable(true);
        assert!(matches!(
            limiter.acquire("k", quota, 1).await,
            Err(StoreError::Unavailable(_))
        ));
    }
}
