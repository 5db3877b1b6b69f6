//! In-memory idempotency records and the idempotency-store contract suite.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use polychat_domain::ports::{Clock, IdempotencyBegin, IdempotencyStore, StoreError};

use crate::outage::{FailNext, Outage};

/// Idempotency records in a map, expiring by a [`Clock`].
pub struct InMemoryIdempotency {
    clock: Arc<dyn Clock>,
    records: Mutex<HashMap<(String, String), Record>>,
    outage: Outage,
    failing_settles: FailNext,
}

#[derive(Debug)]
struct Record {
    fingerprint: String,
    /// `None` while the request that owns the key is running.
    result: Option<Vec<u8>>,
    expires_at: DateTime<Utc>,
}

impl fmt::Debug for InMemoryIdempotency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryIdempotency")
            .finish_non_exhaustive()
    }
}

impl InMemoryIdempotency {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            records: Mutex::default(),
            outage: Outage::default(),
            failing_settles: FailNext::default(),
        }
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    /// Makes the next `n` settling calls (`complete`, `release`) fail with
    /// [`StoreError::Unavailable`] while `begin` and `renew` answer: a request that
    /// loses the store at its end leaves its claim behind.
    pub fn fail_next_settles(&self, n: u32) {
        self.failing_settles.set(n);
    }

    fn expiry(&self, ttl: Duration) -> DateTime<Utc> {
        self.clock.now() + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX)
    }
}

#[async_trait]
impl IdempotencyStore for InMemoryIdempotency {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        ttl: Duration,
    ) -> Result<IdempotencyBegin, StoreError> {
        self.outage.check()?;
        let now = self.clock.now();
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = (scope.to_owned(), key.to_owned());
        match records.get(&slot).filter(|record| record.expires_at > now) {
            Some(record) if record.fingerprint != fingerprint => Ok(IdempotencyBegin::Mismatch),
            Some(Record {
                result: Some(result),
                ..
            }) => Ok(IdempotencyBegin::Completed(result.clone())),
            Some(_) => Ok(IdempotencyBegin::InProgress),
            None => {
                let record = Record {
                    fingerprint: fingerprint.to_owned(),
                    result: None,
                    expires_at: self.expiry(ttl),
                };
                records.insert(slot, record);
                Ok(IdempotencyBegin::Started)
            }
        }
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        result: &[u8],
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.failing_settles.check()?;
        self.outage.check()?;
        let now = self.clock.now();
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = (scope.to_owned(), key.to_owned());
        let live = records.get(&slot).filter(|record| record.expires_at > now);
        // A key taken over by another request (after a release or expiry) stays theirs.
        if live.is_some_and(|record| record.fingerprint != fingerprint) {
            return Ok(());
        }
        let record = Record {
            fingerprint: fingerprint.to_owned(),
            result: Some(result.to_vec()),
            expires_at: self.expiry(ttl),
        };
        records.insert(slot, record);
        Ok(())
    }

    async fn renew(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        self.outage.check()?;
        let now = self.clock.now();
        let expires_at = self.expiry(lease);
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = (scope.to_owned(), key.to_owned());
        match records.get_mut(&slot) {
            Some(record)
                if record.expires_at > now
                    && record.result.is_none()
                    && record.fingerprint == fingerprint =>
            {
                record.expires_at = expires_at;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn release(&self, scope: &str, key: &str, fingerprint: &str) -> Result<(), StoreError> {
        self.failing_settles.check()?;
        self.outage.check()?;
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = (scope.to_owned(), key.to_owned());
        if records
            .get(&slot)
            .is_some_and(|record| record.result.is_none() && record.fingerprint == fingerprint)
        {
            records.remove(&slot);
        }
        Ok(())
    }
}

/// The behaviour every [`IdempotencyStore`] must show. `wait` lets `by` pass: it moves
/// the fake's clock, or sleeps in front of a real store (under 1 s in all).
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn idempotency_contract(store: &dyn IdempotencyStore, wait: impl AsyncFn(Duration)) {
    use IdempotencyBegin::{Completed, InProgress, Mismatch, Started};
    let scope = uuid::Uuid::new_v4().to_string();
    let hour = Duration::from_hours(1);
    let begin = async |key: &str, fingerprint: &str, ttl: Duration| {
        store
            .begin(&scope, key, fingerprint, ttl)
            .await
            .expect("begin")
    };

    assert_eq!(begin("k", "body-a", hour).await, Started);
    assert_eq!(
        begin("k", "body-a", hour).await,
        InProgress,
        "the first request still runs"
    );
    assert_eq!(
        begin("k", "body-b", hour).await,
        Mismatch,
        "another body reuses the key"
    );
    let elsewhere = store
        .begin(&format!("{scope}-other"), "k", "body-b", hour)
        .await;
    assert_eq!(elsewhere.expect("begin"), Started, "keys are per scope");

    store
        .complete(&scope, "k", "body-a", b"{\"ok\":1}", hour)
        .await
        .expect("complete");
    assert_eq!(
        begin("k", "body-a", hour).await,
        Completed(b"{\"ok\":1}".to_vec())
    );
    assert_eq!(begin("k", "body-b", hour).await, Mismatch);

    store.release(&scope, "k", "body-a").await.expect("release");
    assert_eq!(
        begin("k", "body-b", hour).await,
        Mismatch,
        "a completed result is not released"
    );
    assert_eq!(begin("free", "body-a", hour).await, Started);
    store
        .release(&scope, "free", "body-b")
        .await
        .expect("release");
    assert_eq!(
        begin("free", "body-a", hour).await,
        InProgress,
        "another request cannot release a claim"
    );
    store
        .release(&scope, "free", "body-a")
        .await
        .expect("release");
    assert_eq!(
        begin("free", "body-b", hour).await,
        Started,
        "a released key is free again"
    );
    store
        .complete(&scope, "free", "body-a", b"late", hour)
        .await
        .expect("complete");
    assert_eq!(
        begin("free", "body-b", hour).await,
        InProgress,
        "a late result of the former owner does not overwrite the new claim"
    );
    store
        .complete(&scope, "free", "body-b", b"", hour)
        .await
        .expect("complete");
    assert_eq!(begin("free", "body-b", hour).await, Completed(Vec::new()));

    lease_contract(store, &scope, wait).await;
}

/// The lease part of [`idempotency_contract`]: claims expire unless renewed.
async fn lease_contract(store: &dyn IdempotencyStore, scope: &str, wait: impl AsyncFn(Duration)) {
    use IdempotencyBegin::{Mismatch, Started};
    let hour = Duration::from_hours(1);
    let begin = async |key: &str, fingerprint: &str, ttl: Duration| {
        store
            .begin(scope, key, fingerprint, ttl)
            .await
            .expect("begin")
    };
    let short = Duration::from_millis(300);
    assert_eq!(begin("running", "body", short).await, Started);
    assert_eq!(begin("renewed", "body", short).await, Started);
    wait(Duration::from_millis(200)).await;
    let renewed = store.renew(scope, "renewed", "body", hour).await;
    assert!(renewed.expect("renew"), "a running claim is renewed");
    let foreign = store.renew(scope, "renewed", "other", short).await;
    assert!(!foreign.expect("renew"), "only the owner renews a claim");
    assert_eq!(begin("done", "body", short).await, Started);
    store
        .complete(scope, "done", "body", b"r", short)
        .await
        .expect("complete");
    wait(Duration::from_millis(400)).await;
    assert_eq!(
        begin("running", "other", hour).await,
        Started,
        "an expired claim is gone"
    );
    assert_eq!(
        begin("done", "other", hour).await,
        Started,
        "an expired result is gone"
    );
    assert_eq!(
        begin("renewed", "other", hour).await,
        Mismatch,
        "a renewed claim outlives its first lease"
    );
    let expired = store.renew(scope, "running", "body", short).await;
    assert!(
        !expired.expect("renew"),
        "an expired claim cannot be renewed"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn passes_the_contract() {
        let clock = Arc::new(ManualClock::default());
        let store = InMemoryIdempotency::new(clock.clone());
        let wait = async |by: Duration| clock.advance(TimeDelta::from_std(by).unwrap());
        idempotency_contract(&store, wait).await;
    }
}
