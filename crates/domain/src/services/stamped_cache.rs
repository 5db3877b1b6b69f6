//! What a replica remembers of accounts between requests, so the hot path reads no
//! database: each entry is stamped with the [`Stamp`] of its scope as read *before*
//! the entry was read from the store, and is trusted only while the shared store still
//! holds that stamp (every change renews it, so a change stored on any replica makes
//! every copy stale at the next request) and for at most [`MAX_AGE`], which bounds how
//! long a change is missed when renewing its stamp failed.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

use crate::ports::{Stamp, StampScope, Stamps};

/// How long an entry is trusted at most, whatever its stamp.
pub(crate) const MAX_AGE: TimeDelta = TimeDelta::seconds(60);

/// How many entries one cache holds; past that the expired go first, then any one.
const CAPACITY: usize = 10_000;

/// The scope's stamp, or `None` when the shared store cannot say: then nothing
/// remembered is trusted and the caller reads the database.
pub(crate) async fn read_stamp(stamps: &dyn Stamps, scope: StampScope) -> Option<Stamp> {
    match stamps.current(scope).await {
        Ok(stamp) => Some(stamp),
        Err(error) => {
            tracing::debug!(error = %error, ?scope, "stamps unavailable; reading the database");
            None
        }
    }
}

/// Renews the scope's stamp after a change was stored, so every replica drops what it
/// remembers of the scope at its next request.
pub(crate) async fn renew_stamp(stamps: &dyn Stamps, scope: StampScope) {
    if let Err(error) = stamps.renew(scope).await {
        tracing::warn!(
            error = %error,
            ?scope,
            max_age_s = MAX_AGE.num_seconds(),
            "stamp not renewed; other replicas may act on the old state for up to max_age_s"
        );
    }
}

/// A remembered value and the stamp it was read under.
#[derive(Debug, Clone)]
pub(crate) struct Stamped<V> {
    pub stamp: Stamp,
    pub value: V,
}

struct Entry<V> {
    stamped: Stamped<V>,
    stored_at: DateTime<Utc>,
}

/// Values by key, each with the stamp it was read under.
pub(crate) struct StampedCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> StampedCache<K, V> {
    pub(crate) fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value remembered for `key` if it is younger than [`MAX_AGE`] at `now`; the
    /// caller trusts it only if its stamp is still the owner's.
    pub(crate) fn get(&self, key: &K, now: DateTime<Utc>) -> Option<Stamped<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(key)?;
        (now - entry.stored_at < MAX_AGE).then(|| entry.stamped.clone())
    }

    /// The value for `key`: as remembered while `stamp` (read before this call) is the
    /// one it was stored under, or else what `load` reads, remembered under `stamp`.
    /// Without a stamp, `load` is always used and nothing is remembered.
    pub(crate) async fn get_or_load<E>(
        &self,
        key: K,
        stamp: Option<Stamp>,
        now: DateTime<Utc>,
        load: impl Future<Output = Result<V, E>>,
    ) -> Result<V, E> {
        if let Some(stamp) = stamp
            && let Some(hit) = self.get(&key, now)
            && hit.stamp == stamp
        {
            return Ok(hit.value);
        }
        let value = load.await?;
        if let Some(stamp) = stamp {
            self.put(key, stamp, value.clone(), now);
        }
        Ok(value)
    }

    /// Remembers `value`, read from the store after `stamp` was read.
    pub(crate) fn put(&self, key: K, stamp: Stamp, value: V, now: DateTime<Utc>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.retain(|_, entry| now - entry.stored_at < MAX_AGE);
            if entries.len() >= CAPACITY
                && let Some(any) = entries.keys().next().cloned()
            {
                entries.remove(&any);
            }
        }
        let stamped = Stamped { stamp, value };
        entries.insert(
            key,
            Entry {
                stamped,
                stored_at: now,
            },
        );
    }

    /// Forgets `key` (the store says it is gone).
    pub(crate) fn forget(&self, key: &K) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("a valid time")
    }

    #[test]
    fn an_entry_is_given_with_its_stamp_until_it_is_too_old() {
        let cache = StampedCache::new();
        cache.put(1_u32, Stamp(7), "seven", at(0));
        let hit = cache.get(&1, at(59)).expect("young enough");
        assert_eq!((hit.stamp, hit.value), (Stamp(7), "seven"));
        assert!(cache.get(&1, at(60)).is_none(), "older than MAX_AGE");
        assert!(cache.get(&2, at(0)).is_none());
        cache.forget(&1);
        assert!(cache.get(&1, at(1)).is_none());
    }

    #[test]
    fn a_full_cache_drops_the_expired_first_and_never_grows_past_its_capacity() {
        let cache = StampedCache::new();
        let old = u32::try_from(CAPACITY).expect("fits");
        for key in 0..old {
            cache.put(key, Stamp(0), (), at(0));
        }
        cache.put(old, Stamp(0), (), at(30));
        let len = || cache.entries.lock().expect("not poisoned").len();
        assert_eq!(len(), CAPACITY, "one arbitrary entry made room");
        cache.put(old + 1, Stamp(0), (), at(61));
        assert_eq!(len(), 2, "the expired went first");
        assert!(cache.get(&old, at(61)).is_some());
    }
}
