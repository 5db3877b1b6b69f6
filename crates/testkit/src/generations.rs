//! [`GenerationSlots`] in memory, on a clock, and the contract every implementation keeps.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use polychat_domain::UserId;
use polychat_domain::ports::{Clock, GenerationSlots, SlotDecision, StoreError};
use uuid::Uuid;

/// Slots whose leases end by the given clock.
pub struct InMemoryGenerationSlots {
    clock: Arc<dyn Clock>,
    held: Mutex<HashMap<UserId, HashMap<Uuid, DateTime<Utc>>>>,
}

impl InMemoryGenerationSlots {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            held: Mutex::default(),
        }
    }

    /// How many slots `owner` holds now.
    pub fn held(&self, owner: UserId) -> usize {
        let now = self.clock.now();
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.get(&owner).map_or(0, |slots| {
            slots.values().filter(|until| **until > now).count()
        })
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

#[async_trait]
impl GenerationSlots for InMemoryGenerationSlots {
    async fn take(
        &self,
        owner: UserId,
        holder: Uuid,
        limit: u32,
        lease: Duration,
    ) -> Result<SlotDecision, StoreError> {
        let now = self.clock.now();
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let slots = held.entry(owner).or_default();
        slots.retain(|_, until| *until > now);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if slots.contains_key(&holder) || slots.len() < limit {
            slots.insert(holder, now + delta(lease));
            return Ok(SlotDecision::Taken);
        }
        let soonest = slots.values().min().copied().unwrap_or(now);
        let retry_after = (soonest - now).to_std().unwrap_or_default();
        Ok(SlotDecision::Full {
            retry_after: retry_after.max(Duration::from_millis(1)),
        })
    }

    async fn renew(
        &self,
        owner: UserId,
        holder: Uuid,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(until) = held
            .get_mut(&owner)
            .and_then(|slots| slots.get_mut(&holder))
        else {
            return Ok(false);
        };
        if *until <= now {
            return Ok(false);
        }
        *until = now + delta(lease);
        Ok(true)
    }

    async fn release(&self, owner: UserId, holder: Uuid) -> Result<(), StoreError> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slots) = held.get_mut(&owner) {
            slots.remove(&holder);
            if slots.is_empty() {
                held.remove(&owner);
            }
        }
        Ok(())
    }
}

/// At most `limit` holders per owner; a holder taking again keeps its one slot; a full
/// budget names a wait within the lease; release and renewal; owners are apart. (Lapsing
/// takes the clock's time, so each store's own tests show it.)
///
/// # Panics
/// When the store breaks the contract.
pub async fn generation_slots_contract(slots: &dyn GenerationSlots) {
    let (owner, other) = (UserId::generate(), UserId::generate());
    let [first, second, third] = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    let lease = Duration::from_secs(30);
    let take = async |owner, holder| slots.take(owner, holder, 2, lease).await.expect("take");
    assert_eq!(take(owner, first).await, SlotDecision::Taken, "a free slot");
    assert_eq!(
        take(owner, first).await,
        SlotDecision::Taken,
        "the holder keeps its slot"
    );
    assert_eq!(
        take(owner, second).await,
        SlotDecision::Taken,
        "the second slot"
    );
    match take(owner, third).await {
        SlotDecision::Full { retry_after } => assert!(
            retry_after > Duration::ZERO && retry_after <= lease,
            "a wait within the lease: {retry_after:?}"
        ),
        SlotDecision::Taken => panic!("a third slot out of two"),
    }
    assert_eq!(
        take(other, third).await,
        SlotDecision::Taken,
        "another owner's budget is apart"
    );
    assert!(slots.renew(owner, first, lease).await.expect("renew"));
    assert!(
        !slots.renew(owner, third, lease).await.expect("renew"),
        "no slot, no renewal"
    );
    assert!(
        matches!(take(owner, third).await, SlotDecision::Full { .. }),
        "still full"
    );
    slots.release(owner, first).await.expect("release");
    assert!(
        !slots.renew(owner, first, lease).await.expect("renew"),
        "a released slot is gone"
    );
    assert_eq!(
        take(owner, third).await,
        SlotDecision::Taken,
        "a freed slot"
    );
    slots.release(owner, second).await.expect("release");
    slots.release(owner, third).await.expect("release");
    slots.release(other, third).await.expect("release");
    slots
        .release(other, third)
        .await
        .expect("releasing twice is harmless");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn the_fake_keeps_the_contract_and_lapses_by_its_clock() {
        let clock = Arc::new(ManualClock::default());
        let slots = InMemoryGenerationSlots::new(clock.clone());
        generation_slots_contract(&slots).await;
        let owner = UserId::generate();
        let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
        let lease = Duration::from_secs(30);
        assert_eq!(
            slots.take(owner, first, 1, lease).await.unwrap(),
            SlotDecision::Taken
        );
        clock.advance(TimeDelta::seconds(20));
        assert_eq!(
            slots.take(owner, second, 1, lease).await.unwrap(),
            SlotDecision::Full {
                retry_after: Duration::from_secs(10)
            }
        );
        clock.advance(TimeDelta::seconds(11));
        assert_eq!(
            slots.take(owner, second, 1, lease).await.unwrap(),
            SlotDecision::Taken,
            "a slot its holder stopped renewing is free"
        );
        assert!(!slots.renew(owner, first, lease).await.unwrap());
    }
}
