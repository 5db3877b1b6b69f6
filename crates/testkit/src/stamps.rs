//! In-memory [`Stamps`], and the contract suite every implementation must pass.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use polychat_domain::UserId;
use polychat_domain::ports::{Stamp, StampScope, Stamps, StoreError};
use uuid::Uuid;

use crate::outage::Outage;

/// Stamps in a map, random like the real ones; shared by the services of a test that
/// stand for several replicas.
#[derive(Debug, Default)]
pub struct InMemoryStamps {
    stamps: Mutex<HashMap<StampScope, Stamp>>,
    renewals: AtomicU64,
    outage: Outage,
}

impl InMemoryStamps {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    /// Forgets every stamp, as a Redis restarted without persistence would.
    pub fn lose_everything(&self) {
        self.stamps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// How many renewals were asked for.
    pub fn renewals(&self) -> u64 {
        self.renewals.load(Ordering::Relaxed)
    }
}

fn random() -> Stamp {
    Stamp(Uuid::new_v4().as_u64_pair().0)
}

#[async_trait]
impl Stamps for InMemoryStamps {
    async fn current(&self, scope: StampScope) -> Result<Stamp, StoreError> {
        self.outage.check()?;
        let mut stamps = self.stamps.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(*stamps.entry(scope).or_insert_with(random))
    }

    async fn renew(&self, scope: StampScope) -> Result<(), StoreError> {
        self.renewals.fetch_add(1, Ordering::Relaxed);
        self.outage.check()?;
        let mut stamps = self.stamps.lock().unwrap_or_else(PoisonError::into_inner);
        stamps.insert(scope, random());
        Ok(())
    }
}

/// The behaviour every [`Stamps`] must show.
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn stamps_contract(stamps: &dyn Stamps) {
    let user = StampScope::Account(UserId::generate());
    let other = StampScope::Account(UserId::generate());
    let first = stamps.current(user).await.expect("current");
    assert_eq!(
        stamps.current(user).await.expect("current"),
        first,
        "a stamp holds until renewed"
    );
    let others = stamps.current(other).await.expect("current");
    assert_ne!(others, first, "each user has a stamp of their own");
    let registry = stamps
        .current(StampScope::ModelRegistry)
        .await
        .expect("current");
    assert_ne!(registry, first, "the registry has its own");
    stamps.renew(user).await.expect("renew");
    let renewed = stamps.current(user).await.expect("current");
    assert_ne!(renewed, first, "a renewal changes the stamp");
    assert_eq!(
        stamps.current(other).await.expect("current"),
        others,
        "a renewal changes only that user's stamp"
    );
    assert_eq!(
        stamps
            .current(StampScope::ModelRegistry)
            .await
            .expect("current"),
        registry
    );
    let never_read = StampScope::Account(UserId::generate());
    stamps
        .renew(never_read)
        .await
        .expect("renewing a stamp never read");
    let a = stamps.current(never_read).await.expect("current");
    assert_eq!(stamps.current(never_read).await.expect("current"), a);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_fake_passes_the_contract() {
        stamps_contract(&InMemoryStamps::new()).await;
    }

    #[tokio::test]
    async fn a_lost_stamp_comes_back_different() {
        let stamps = InMemoryStamps::new();
        let user = StampScope::Account(UserId::generate());
        let before = stamps.current(user).await.expect("current");
        stamps.lose_everything();
        assert_ne!(stamps.current(user).await.expect("current"), before);
    }
}
