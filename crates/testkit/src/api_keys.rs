//! An in-memory [`ApiKeyStore`] and a fast, NOT SECURE [`ApiKeyMinter`], and the
//! contract suite every key store must pass.

mod contract;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use polychat_domain::api_key::API_KEY_MARKER;
use polychat_domain::ports::{ApiKeyMinter, ApiKeyStore, MintedKey, StoreError, StoredApiKey};
use polychat_domain::{ApiKey, ApiKeyHash, ApiKeyId, UserId};
use secrecy::SecretString;
use uuid::Uuid;

use crate::outage::Outage;

pub use contract::{contract, sample_key};

/// Keys by id, with the database's rules: ids and hashes unique, deletes scoped by owner.
#[derive(Debug, Default)]
pub struct InMemoryApiKeys {
    keys: Mutex<BTreeMap<ApiKeyId, StoredApiKey>>,
    touches: AtomicU64,
    lookups: AtomicU64,
    outage: Outage,
}

impl InMemoryApiKeys {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times [`ApiKeyStore::touch`] was called.
    pub fn touches(&self) -> u64 {
        self.touches.load(Ordering::Relaxed)
    }

    /// How many times [`ApiKeyStore::find_by_hash`] was called.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    fn keys(&self) -> Result<MutexGuard<'_, BTreeMap<ApiKeyId, StoredApiKey>>, StoreError> {
        self.outage.check()?;
        Ok(self.keys.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl ApiKeyStore for InMemoryApiKeys {
    async fn create(&self, key: &ApiKey, hash: &ApiKeyHash) -> Result<(), StoreError> {
        let mut keys = self.keys()?;
        if keys.contains_key(&key.id) || keys.values().any(|k| k.hash == *hash) {
            return Err(StoreError::Duplicate);
        }
        let stored = StoredApiKey {
            key: key.clone(),
            hash: hash.clone(),
        };
        keys.insert(key.id, stored);
        Ok(())
    }

    async fn list(&self, owner: UserId) -> Result<Vec<ApiKey>, StoreError> {
        let mut keys: Vec<ApiKey> = self
            .keys()?
            .values()
            .filter(|k| k.key.user_id == owner)
            .map(|k| k.key.clone())
            .collect();
        keys.sort_by_key(|k| std::cmp::Reverse((k.created_at, k.id)));
        Ok(keys)
    }

    async fn find_by_hash(&self, hash: &ApiKeyHash) -> Result<Option<StoredApiKey>, StoreError> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        Ok(self.keys()?.values().find(|k| k.hash == *hash).cloned())
    }

    async fn delete(&self, owner: UserId, id: ApiKeyId) -> Result<bool, StoreError> {
        let mut keys = self.keys()?;
        if keys.get(&id).is_some_and(|k| k.key.user_id == owner) {
            keys.remove(&id);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    async fn touch(&self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.touches.fetch_add(1, Ordering::Relaxed);
        if let Some(stored) = self.keys()?.get_mut(&id) {
            let last = &mut stored.key.last_used_at;
            *last = Some(last.map_or(at, |previous| previous.max(at)));
        }
        Ok(())
    }
}

/// Keys `pc_fake` + a random UUID, "hashed" by reversing their bytes. Instant and
/// test-only: anyone can invert the hash.
#[derive(Debug, Default)]
pub struct FakeMinter;

impl ApiKeyMinter for FakeMinter {
    fn mint(&self) -> MintedKey {
        let secret = format!("{API_KEY_MARKER}fake{}", Uuid::new_v4().simple());
        MintedKey {
            hash: self.hash(&secret),
            secret: SecretString::from(secret),
        }
    }

    fn hash(&self, presented: &str) -> ApiKeyHash {
        ApiKeyHash::new(presented.bytes().rev().collect())
    }

    fn verify(&self, presented: &str, stored: &ApiKeyHash) -> bool {
        self.hash(presented) == *stored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        let store = InMemoryApiKeys::new();
        contract(&store, UserId::generate(), UserId::generate()).await;
    }
}
