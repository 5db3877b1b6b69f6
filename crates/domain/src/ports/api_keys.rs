//! Personal API keys: where they are kept, and how they are made and recognised.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::StoreError;
use crate::{ApiKey, ApiKeyHash, ApiKeyId, UserId};

/// A freshly made key: the secret, shown to the user once, and what is stored of it.
pub struct MintedKey {
    pub secret: SecretString,
    pub hash: ApiKeyHash,
}

/// Makes keys and hashes presented ones. The hash must be deterministic (it is what
/// keys are looked up by) and one-way.
pub trait ApiKeyMinter: Send + Sync {
    /// A new key: [`crate::api_key::API_KEY_MARKER`] followed by at least 256 random bits.
    fn mint(&self) -> MintedKey;

    /// The hash a key is stored and looked up under.
    fn hash(&self, presented: &str) -> ApiKeyHash;

    /// Whether `presented` hashes to `stored`, compared in constant time.
    fn verify(&self, presented: &str, stored: &ApiKeyHash) -> bool;
}

/// A key as stored: what the user sees and the hash of the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiKey {
    pub key: ApiKey,
    pub hash: ApiKeyHash,
}

/// Where keys live. Every query that takes an owner is scoped by it inside the store.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or the hash is already stored.
    async fn create(&self, key: &ApiKey, hash: &ApiKeyHash) -> Result<(), StoreError>;

    /// The owner's keys, newest first.
    async fn list(&self, owner: UserId) -> Result<Vec<ApiKey>, StoreError>;

    /// The key stored under `hash`, expired or not.
    async fn find_by_hash(&self, hash: &ApiKeyHash) -> Result<Option<StoredApiKey>, StoreError>;

    /// Removes the owner's key `id`; `false` when the owner has no such key (another
    /// user's key included, which stays untouched).
    async fn delete(&self, owner: UserId, id: ApiKeyId) -> Result<bool, StoreError>;

    /// Records a use at `at`; never moves `last_used_at` back in time. A key deleted
    /// meanwhile is not an error.
    async fn touch(&self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), StoreError>;
}
