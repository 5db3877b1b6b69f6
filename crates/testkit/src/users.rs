//! An in-memory [`UserRepository`], and the contract suite every implementation of
//! that port must pass.

mod contract;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use polychat_domain::ports::{
    Clock, ExternalIdentityStore, StoreError, SystemClock, UserRepository, UserUpdate,
};
use polychat_domain::{ExternalIdentity, StoredSecret, User, UserId, Username};

pub use contract::{contract, external_contract, sample_identity, sample_user};

/// Users in a map ordered by id, with the same rules as the database: usernames unique
/// case-insensitively, key rotation as compare-and-swap.
#[derive(Debug, Default)]
pub struct InMemoryUsers {
    users: Mutex<BTreeMap<UserId, User>>,
    /// Users of trusted issuers, by identity.
    identities: Mutex<HashMap<ExternalIdentity, UserId>>,
}

impl InMemoryUsers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Deletes a user outright, as an account removal between a token check and the
    /// request's work would.
    pub fn remove(&self, id: UserId) -> Option<User> {
        self.users().remove(&id)
    }

    fn users(&self) -> MutexGuard<'_, BTreeMap<UserId, User>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn insert(users: &mut BTreeMap<UserId, User>, user: &User) -> Result<(), StoreError> {
    let canonical = user.username.canonical();
    let taken =
        users.contains_key(&user.id) || users.values().any(|u| u.username.canonical() == canonical);
    if taken {
        return Err(StoreError::Duplicate);
    }
    users.insert(user.id, user.clone());
    Ok(())
}

#[async_trait]
impl ExternalIdentityStore for InMemoryUsers {
    async fn find_user(&self, identity: &ExternalIdentity) -> Result<Option<UserId>, StoreError> {
        let identities = self
            .identities
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(identities.get(identity).copied())
    }

    async fn create_user(
        &self,
        identity: &ExternalIdentity,
        user: &User,
    ) -> Result<(), StoreError> {
        // Users first, then identities, as every caller locks them.
        let mut users = self.users();
        let mut identities = self
            .identities
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if identities.contains_key(identity) {
            return Err(StoreError::Duplicate);
        }
        insert(&mut users, user)?;
        identities.insert(identity.clone(), user.id);
        Ok(())
    }
}

#[async_trait]
impl UserRepository for InMemoryUsers {
    async fn create(&self, user: &User) -> Result<(), StoreError> {
        insert(&mut self.users(), user)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.users().get(&id).cloned())
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let canonical = username.canonical();
        Ok(self
            .users()
            .values()
            .find(|u| u.username.canonical() == canonical)
            .cloned())
    }

    async fn update(&self, id: UserId, update: UserUpdate) -> Result<Option<User>, StoreError> {
        let mut users = self.users();
        let Some(user) = users.get_mut(&id) else {
            return Ok(None);
        };
        if update.is_empty() {
            return Ok(Some(user.clone()));
        }
        let UserUpdate {
            display_name,
            default_model,
            password_hash,
            openrouter_key,
            memory_enabled,
            role,
        } = update;
        if let Some(value) = display_name {
            user.display_name = value;
        }
        if let Some(value) = default_model {
            user.default_model = value;
        }
        if let Some(value) = password_hash {
            user.password_hash = value;
        }
        if let Some(value) = openrouter_key {
            user.openrouter_key = value;
        }
        if let Some(value) = memory_enabled {
            user.memory_enabled = value;
        }
        if let Some(value) = role {
            user.role = value;
        }
        user.updated_at = SystemClock.now();
        Ok(Some(user.clone()))
    }

    async fn stored_keys_after(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, StoredSecret)>, StoreError> {
        let users = self.users();
        let take = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(users
            .values()
            .filter(|u| after.is_none_or(|after| u.id > after))
            .filter_map(|u| Some((u.id, u.openrouter_key.clone()?)))
            .take(take)
            .collect())
    }

    async fn replace_key(
        &self,
        id: UserId,
        expected: &StoredSecret,
        replacement: &StoredSecret,
    ) -> Result<bool, StoreError> {
        let mut users = self.users();
        let Some(user) = users.get_mut(&id) else {
            return Ok(false);
        };
        let matches = user
            .openrouter_key
            .as_ref()
            .is_some_and(|key| key.ciphertext == expected.ciphertext);
        if matches {
            user.openrouter_key = Some(replacement.clone());
        }
        Ok(matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        contract(&InMemoryUsers::new()).await;
        let users = InMemoryUsers::new();
        external_contract(&users, &users).await;
    }
}
