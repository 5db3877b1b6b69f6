//! Persistence of users and their credentials.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    AccountRole, DisplayName, ModelName, PasswordHash, StoredSecret, User, UserId, Username,
};

/// A change to a user's profile; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct UserUpdate {
    pub display_name: Option<Option<DisplayName>>,
    pub default_model: Option<Option<ModelName>>,
    pub password_hash: Option<PasswordHash>,
    pub openrouter_key: Option<Option<StoredSecret>>,
    pub memory_enabled: Option<bool>,
    /// Set by the `polychat admin` command only; no route reaches it.
    pub role: Option<AccountRole>,
}

impl UserUpdate {
    /// Whether the update changes nothing (and so must not move `updated_at`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.default_model.is_none()
            && self.password_hash.is_none()
            && self.openrouter_key.is_none()
            && self.memory_enabled.is_none()
            && self.role.is_none()
    }
}

/// Where users live.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new user.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the username is taken, compared case-insensitively.
    async fn create(&self, user: &User) -> Result<(), StoreError>;

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Finds a user by name, case-insensitively.
    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError>;

    /// Applies `update` and returns the user as stored afterwards, or `None` if missing.
    async fn update(&self, id: UserId, update: UserUpdate) -> Result<Option<User>, StoreError>;

    /// A page of users holding a stored key, ordered by id, starting after `after`;
    /// used to re-encrypt keys when the master key rotates.
    async fn stored_keys_after(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, StoredSecret)>, StoreError>;

    /// Replaces a stored key only if it still equals `expected` (compare-and-swap), so a
    /// rotation never overwrites a key the user changed meanwhile. Returns whether it did.
    async fn replace_key(
        &self,
        id: UserId,
        expected: &StoredSecret,
        replacement: &StoredSecret,
    ) -> Result<bool, StoreError>;
}
