//! In-memory [`TokenDenylist`], and the contract suite every denylist must pass.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use polychat_domain::ports::{Clock, StoreError, TokenDenylist};
use uuid::Uuid;

use crate::outage::Outage;

/// Revoked tokens and revoked families, each remembered until the
/// moment it was given (the token's own expiry), by a [`Clock`].
pub struct InMemoryDenylist {
    clock: Arc<dyn Clock>,
    entries: Mutex<Entries>,
    outage: Outage,
}

/// Until when each entry holds.
type Entries = HashMap<(Kind, Uuid), DateTime<Utc>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Token,
    Family,
}

impl fmt::Debug for InMemoryDenylist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDenylist").finish_non_exhaustive()
    }
}

impl InMemoryDenylist {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            entries: Mutex::default(),
            outage: Outage::default(),
        }
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    /// The live entries, with the expired ones dropped.
    fn entries(&self) -> Result<MutexGuard<'_, Entries>, StoreError> {
        self.outage.check()?;
        let now = self.clock.now();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, until| *until > now);
        Ok(entries)
    }

    /// Remembers an entry until `until`, never shortening one already there.
    fn remember(&self, entry: (Kind, Uuid), until: DateTime<Utc>) -> Result<(), StoreError> {
        let mut entries = self.entries()?;
        if until > self.clock.now() {
            let stored = entries.entry(entry).or_insert(until);
            *stored = (*stored).max(until);
        }
        Ok(())
    }
}

#[async_trait]
impl TokenDenylist for InMemoryDenylist {
    async fn revoke_token(&self, jti: Uuid, until: DateTime<Utc>) -> Result<(), StoreError> {
        self.remember((Kind::Token, jti), until)
    }

    async fn revoke_family(&self, family: Uuid, until: DateTime<Utc>) -> Result<(), StoreError> {
        self.remember((Kind::Family, family), until)
    }

    async fn is_revoked(&self, jti: Uuid, family: Uuid) -> Result<bool, StoreError> {
        let entries = self.entries()?;
        Ok(entries.contains_key(&(Kind::Token, jti))
            || entries.contains_key(&(Kind::Family, family)))
    }
}

/// The behaviour every [`TokenDenylist`] must show. `clock` gives the time tokens
/// expire against; `wait` lets `by` pass (moves the fake's clock, or sleeps in front
/// of a real store, under 1 s in all).
///
/// # Panics
/// When the store breaks the contract (a failed assertion names the rule).
pub async fn token_denylist_contract(
    list: &dyn TokenDenylist,
    clock: &dyn Clock,
    wait: impl AsyncFn(Duration),
) {
    let later = |ms: i64| clock.now() + TimeDelta::milliseconds(ms);
    let hour = 3_600_000;
    let (jti, family) = (Uuid::new_v4(), Uuid::new_v4());
    let revoked =
        async |jti: Uuid, family: Uuid| list.is_revoked(jti, family).await.expect("is_revoked");

    assert!(!revoked(jti, family).await, "nothing is revoked at first");
    list.revoke_token(jti, later(hour))
        .await
        .expect("revoke_token");
    assert!(revoked(jti, family).await);
    assert!(
        revoked(jti, Uuid::new_v4()).await,
        "a revoked token is revoked in any family"
    );
    assert!(
        !revoked(Uuid::new_v4(), family).await,
        "its family is not revoked"
    );

    let other = Uuid::new_v4();
    list.revoke_family(family, later(hour))
        .await
        .expect("revoke_family");
    assert!(
        revoked(other, family).await,
        "every token of a revoked family is revoked"
    );
    list.revoke_family(family, later(200))
        .await
        .expect("revoke_family");

    let (brief, brief_family) = (Uuid::new_v4(), Uuid::new_v4());
    list.revoke_token(brief, later(300))
        .await
        .expect("revoke_token");
    list.revoke_family(brief_family, later(300))
        .await
        .expect("revoke_family");
    assert!(revoked(brief, Uuid::new_v4()).await);
    wait(Duration::from_millis(400)).await;
    assert!(
        !revoked(brief, brief_family).await,
        "entries end when the token would have"
    );
    assert!(
        revoked(other, family).await,
        "a shorter revocation never shortens a longer one"
    );
    list.revoke_token(Uuid::new_v4(), later(-1_000))
        .await
        .expect("an expired token is a no-op");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn passes_the_contract() {
        let clock = Arc::new(ManualClock::default());
        let list = InMemoryDenylist::new(clock.clone());
        let wait = async |by: Duration| clock.advance(TimeDelta::from_std(by).unwrap());
        token_denylist_contract(&list, clock.as_ref(), wait).await;
    }
}
