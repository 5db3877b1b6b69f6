//! [`Leases`] in memory, on a clock, and the contract every implementation keeps.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use polychat_domain::ports::{Clock, Leases, StoreError};
use uuid::Uuid;

/// Leases that lapse by the given clock.
pub struct InMemoryLeases {
    clock: Arc<dyn Clock>,
    held: Mutex<HashMap<String, (Uuid, DateTime<Utc>)>>,
}

impl InMemoryLeases {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            held: Mutex::default(),
        }
    }
}

#[async_trait]
impl Leases for InMemoryLeases {
    async fn hold(&self, name: &str, holder: Uuid, ttl: Duration) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let free = held
            .get(name)
            .is_none_or(|(current, until)| *current == holder || *until <= now);
        if free {
            let ttl = chrono::TimeDelta::from_std(ttl).unwrap_or(chrono::TimeDelta::MAX);
            held.insert(name.to_owned(), (holder, now + ttl));
        }
        Ok(free)
    }

    async fn release(&self, name: &str, holder: Uuid) -> Result<(), StoreError> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held
            .get(name)
            .is_some_and(|(current, _)| *current == holder)
        {
            held.remove(name);
        }
        Ok(())
    }
}

/// One holder at a time; renewals by the holder; release frees the lease for others,
/// and a release by someone else does nothing. (Lapsing takes the clock's time, so
/// each store's own tests show it.)
///
/// # Panics
/// When the store breaks the contract.
pub async fn leases_contract(leases: &dyn Leases) {
    let name = format!("contract-{}", Uuid::new_v4().simple());
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    let ttl = Duration::from_secs(30);
    assert!(
        leases.hold(&name, first, ttl).await.expect("hold"),
        "a free lease is taken"
    );
    assert!(
        leases.hold(&name, first, ttl).await.expect("hold"),
        "the holder renews it"
    );
    assert!(
        !leases.hold(&name, second, ttl).await.expect("hold"),
        "another holder waits"
    );
    leases.release(&name, second).await.expect("release");
    assert!(
        !leases.hold(&name, second, ttl).await.expect("hold"),
        "only the holder releases"
    );
    leases.release(&name, first).await.expect("release");
    assert!(
        leases.hold(&name, second, ttl).await.expect("hold"),
        "a released lease is free"
    );
    leases.release(&name, second).await.expect("release");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn the_fake_keeps_the_contract_and_lapses_by_its_clock() {
        let clock = Arc::new(ManualClock::default());
        let leases = InMemoryLeases::new(clock.clone());
        leases_contract(&leases).await;
        let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
        let ttl = Duration::from_secs(30);
        assert!(leases.hold("sweep", first, ttl).await.unwrap());
        clock.advance(chrono::TimeDelta::seconds(29));
        assert!(!leases.hold("sweep", second, ttl).await.unwrap());
        clock.advance(chrono::TimeDelta::seconds(2));
        assert!(leases.hold("sweep", second, ttl).await.unwrap());
    }
}
