//! A rate limiter that keeps limiting when the shared one is down: requests are
//! counted in Redis (one budget for all replicas) and, while Redis cannot be reached,
//! by a per-process GCRA with the same quotas, so throttling degrades instead of
//! disappearing or failing requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use polychat_domain::ports::{Quota, RateDecision, RateLimiter, StoreError};

/// The most keys the local limiter keeps: past it, the stale go first, then the key
/// whose budget refills soonest (the one whose loss forgives the least).
const CAPACITY: usize = 10_000;

pub struct FallbackRateLimiter {
    shared: Arc<dyn RateLimiter>,
    /// Theoretical arrival time per key (GCRA), as time since `origin`.
    local: Mutex<HashMap<String, Duration>>,
    origin: Instant,
}

impl FallbackRateLimiter {
    pub fn new(shared: Arc<dyn RateLimiter>) -> Self {
        Self {
            shared,
            local: Mutex::new(HashMap::new()),
            origin: Instant::now(),
        }
    }

    fn acquire_locally(&self, key: &str, quota: Quota, cost: u32) -> RateDecision {
        let now = self.origin.elapsed();
        let mut tats = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        if tats.len() >= CAPACITY && !tats.contains_key(key) {
            tats.retain(|_, tat| *tat > now);
            let soonest = tats
                .iter()
                .min_by_key(|(_, tat)| **tat)
                .map(|(k, _)| k.clone());
            if tats.len() >= CAPACITY
                && let Some(soonest) = soonest
            {
                tats.remove(&soonest);
            }
        }
        let (decision, tat) = quota.step(tats.get(key).copied(), now, cost);
        if let Some(tat) = tat {
            tats.insert(key.to_owned(), tat);
        }
        decision
    }
}

#[async_trait]
impl RateLimiter for FallbackRateLimiter {
    async fn acquire(
        &self,
        key: &str,
        quota: Quota,
        cost: u32,
    ) -> Result<RateDecision, StoreError> {
        match self.shared.acquire(key, quota, cost).await {
            Err(StoreError::Unavailable(error)) => {
                tracing::warn!(error = %error, "shared rate limiter down; limiting per process");
                Ok(self.acquire_locally(key, quota, cost))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    struct Down;

    #[async_trait]
    impl RateLimiter for Down {
        async fn acquire(&self, _: &str, _: Quota, _: u32) -> Result<RateDecision, StoreError> {
            Err(StoreError::Unavailable(anyhow::anyhow!(
                "connection refused"
            )))
        }
    }

    #[tokio::test]
    async fn limits_per_process_while_the_shared_limiter_is_down() {
        let limiter = FallbackRateLimiter::new(Arc::new(Down));
        let quota = Quota {
            burst: 3,
            period: Duration::from_mins(1),
        };
        for _ in 0..3 {
            assert_eq!(
                limiter.acquire("k", quota, 1).await.unwrap(),
                RateDecision::Allowed
            );
        }
        let RateDecision::Limited { retry_after } = limiter.acquire("k", quota, 1).await.unwrap()
        else {
            panic!("the fourth request must be limited");
        };
        assert!(retry_after <= Duration::from_secs(20) && retry_after > Duration::from_secs(15));
        assert!(matches!(
            limiter.acquire("k", quota, 0).await.unwrap(),
            RateDecision::Limited { .. }
        ));
        assert_eq!(
            limiter.acquire("other", quota, 1).await.unwrap(),
            RateDecision::Allowed
        );
    }

    #[tokio::test]
    async fn the_local_limiter_keeps_at_most_its_capacity_of_keys() {
        let limiter = FallbackRateLimiter::new(Arc::new(Down));
        let quota = Quota {
            burst: 1,
            period: Duration::from_hours(1),
        };
        for n in 0..CAPACITY + 500 {
            limiter.acquire(&format!("k{n}"), quota, 1).await.unwrap();
        }
        let kept = limiter.local.lock().unwrap().len();
        assert_eq!(
            kept, CAPACITY,
            "every key still live, yet the map stays bounded"
        );
        assert!(
            matches!(
                limiter
                    .acquire(&format!("k{}", CAPACITY + 499), quota, 1)
                    .await
                    .unwrap(),
                RateDecision::Limited { .. }
            ),
            "the newest keys are still limited"
        );
    }
}
