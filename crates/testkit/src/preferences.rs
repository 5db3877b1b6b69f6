//! An in-memory [`PreferenceStore`] with brute-force cosine search, and the contract
//! suite every implementation of that port must pass.

mod contract;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use polychat_domain::ports::{PreferenceStore, ScoredPreference, StoreError};
use polychat_domain::{
    Embedding, PreferenceId, PreferenceKind, PreferenceText, UserId, UserPreference,
};

pub use contract::{axis, blend, contract};

/// Preferences in a map; every operation is scoped to the owner, like the SQL.
#[derive(Debug, Default)]
pub struct InMemoryPreferences {
    rows: Mutex<HashMap<PreferenceId, UserPreference>>,
}

impl InMemoryPreferences {
    pub fn new() -> Self {
        Self::default()
    }

    fn rows(&self) -> MutexGuard<'_, HashMap<PreferenceId, UserPreference>> {
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The preference `id` if `owner` holds it.
fn owned(
    rows: &mut HashMap<PreferenceId, UserPreference>,
    owner: UserId,
    id: PreferenceId,
) -> Option<&mut UserPreference> {
    rows.get_mut(&id).filter(|p| p.owner == owner)
}

#[async_trait]
impl PreferenceStore for InMemoryPreferences {
    async fn insert(&self, preference: &UserPreference) -> Result<(), StoreError> {
        let mut rows = self.rows();
        if rows.contains_key(&preference.id) {
            return Err(StoreError::Duplicate);
        }
        rows.insert(preference.id, preference.clone());
        Ok(())
    }

    async fn list_active(&self, owner: UserId) -> Result<Vec<UserPreference>, StoreError> {
        let mut active: Vec<UserPreference> = self
            .rows()
            .values()
            .filter(|p| p.owner == owner && p.superseded_by.is_none())
            .cloned()
            .collect();
        active.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.id)));
        Ok(active)
    }

    async fn active_of_kind(
        &self,
        owner: UserId,
        kind: PreferenceKind,
        limit: u32,
    ) -> Result<Vec<UserPreference>, StoreError> {
        let mut active = self.list_active(owner).await?;
        active.retain(|p| p.kind == kind);
        active.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(active)
    }

    async fn find(
        &self,
        owner: UserId,
        id: PreferenceId,
    ) -> Result<Option<UserPreference>, StoreError> {
        Ok(owned(&mut self.rows(), owner, id).map(|p| p.clone()))
    }

    async fn update(
        &self,
        owner: UserId,
        id: PreferenceId,
        text: &PreferenceText,
        kind: PreferenceKind,
        embedding: &Embedding,
        at: DateTime<Utc>,
    ) -> Result<Option<UserPreference>, StoreError> {
        let mut rows = self.rows();
        let Some(row) = owned(&mut rows, owner, id).filter(|p| p.superseded_by.is_none()) else {
            return Ok(None);
        };
        row.text = text.clone();
        row.kind = kind;
        row.embedding = embedding.clone();
        row.updated_at = at;
        Ok(Some(row.clone()))
    }

    async fn supersede(
        &self,
        owner: UserId,
        old: PreferenceId,
        new: PreferenceId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut rows = self.rows();
        let Some(row) = owned(&mut rows, owner, old).filter(|p| p.superseded_by.is_none()) else {
            return Ok(false);
        };
        row.superseded_by = Some(new);
        row.updated_at = at;
        Ok(true)
    }

    async fn delete(&self, owner: UserId, id: PreferenceId) -> Result<bool, StoreError> {
        let mut rows = self.rows();
        if owned(&mut rows, owner, id).is_none() {
            return Ok(false);
        }
        Ok(rows.remove(&id).is_some())
    }

    async fn nearest(
        &self,
        owner: UserId,
        query: &Embedding,
        limit: u32,
        min_similarity: f32,
    ) -> Result<Vec<ScoredPreference>, StoreError> {
        let mut scored: Vec<ScoredPreference> = self
            .rows()
            .values()
            .filter(|p| p.owner == owner && p.superseded_by.is_none())
            .map(|p| ScoredPreference {
                similarity: p.embedding.cosine(query),
                preference: p.clone(),
            })
            .filter(|hit| hit.similarity >= min_similarity)
            .collect();
        scored.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        scored.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(scored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        let (alice, bob) = (UserId::generate(), UserId::generate());
        contract(&InMemoryPreferences::new(), alice, bob, 8).await;
    }
}
