//! An in-memory [`CustomModelRepository`], and the contract every implementation keeps.

mod contract;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use polychat_domain::custom_model::{CustomModel, ModelSettings, ModelSlug, ModelVersion};
use polychat_domain::ports::{Clock, CustomModelRepository, StoreError, SystemClock};
use polychat_domain::{CustomModelId, UserId};

pub use contract::{contract, sample_model};

#[derive(Default)]
struct Registry {
    models: HashMap<CustomModelId, CustomModel>,
    versions: HashMap<CustomModelId, Vec<ModelVersion>>,
}

/// Custom models in a map, versions beside them.
#[derive(Clone, Default)]
pub struct InMemoryCustomModels {
    registry: Arc<Mutex<Registry>>,
}

impl InMemoryCustomModels {
    pub fn new() -> Self {
        Self::default()
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn slug_taken(registry: &Registry, slug: &ModelSlug, except: Option<CustomModelId>) -> bool {
    registry
        .models
        .values()
        .any(|m| &m.settings.slug == slug && Some(m.id) != except)
}

#[async_trait]
impl CustomModelRepository for InMemoryCustomModels {
    async fn create(&self, model: &CustomModel, changed_by: UserId) -> Result<(), StoreError> {
        let mut registry = self.registry();
        if registry.models.contains_key(&model.id)
            || slug_taken(&registry, &model.settings.slug, None)
        {
            return Err(StoreError::Duplicate);
        }
        registry.models.insert(model.id, model.clone());
        registry.versions.insert(
            model.id,
            vec![ModelVersion {
                version: model.version,
                changed_at: model.updated_at,
                changed_by: Some(changed_by),
                settings: model.settings.clone(),
            }],
        );
        Ok(())
    }

    async fn update(
        &self,
        id: CustomModelId,
        settings: &ModelSettings,
        changed_by: UserId,
    ) -> Result<Option<CustomModel>, StoreError> {
        let mut registry = self.registry();
        if !registry.models.contains_key(&id) {
            return Ok(None);
        }
        if slug_taken(&registry, &settings.slug, Some(id)) {
            return Err(StoreError::Duplicate);
        }
        let now = SystemClock.now();
        let Some(model) = registry.models.get_mut(&id) else {
            return Ok(None);
        };
        model.settings = settings.clone();
        model.version += 1;
        model.updated_at = now;
        let updated = model.clone();
        registry.versions.entry(id).or_default().push(ModelVersion {
            version: updated.version,
            changed_at: now,
            changed_by: Some(changed_by),
            settings: settings.clone(),
        });
        Ok(Some(updated))
    }

    async fn find(&self, id: CustomModelId) -> Result<Option<CustomModel>, StoreError> {
        Ok(self.registry().models.get(&id).cloned())
    }

    async fn find_by_slug(&self, slug: &ModelSlug) -> Result<Option<CustomModel>, StoreError> {
        Ok(self
            .registry()
            .models
            .values()
            .find(|m| &m.settings.slug == slug)
            .cloned())
    }

    async fn list(&self, include_inactive: bool) -> Result<Vec<CustomModel>, StoreError> {
        let mut models: Vec<CustomModel> = self
            .registry()
            .models
            .values()
            .filter(|m| include_inactive || m.settings.is_active)
            .cloned()
            .collect();
        models.sort_by(|a, b| a.settings.slug.cmp(&b.settings.slug));
        Ok(models)
    }

    async fn versions(&self, id: CustomModelId) -> Result<Vec<ModelVersion>, StoreError> {
        let mut versions = self
            .registry()
            .versions
            .get(&id)
            .cloned()
            .unwrap_or_default();
        versions.sort_by_key(|v| std::cmp::Reverse(v.version));
        Ok(versions)
    }

    async fn purge(&self, id: CustomModelId) -> Result<bool, StoreError> {
        let mut registry = self.registry();
        registry.versions.remove(&id);
        Ok(registry.models.remove(&id).is_some())
    }

    async fn replace_settings(
        &self,
        id: CustomModelId,
        version: Option<u32>,
        before: &ModelSettings,
        after: &ModelSettings,
    ) -> Result<bool, StoreError> {
        let mut registry = self.registry();
        let current = match version {
            None => registry.models.get_mut(&id).map(|m| &mut m.settings),
            Some(number) => registry
                .versions
                .get_mut(&id)
                .and_then(|versions| versions.iter_mut().find(|v| v.version == number))
                .map(|v| &mut v.settings),
        };
        Ok(match current {
            Some(settings) if settings == before => {
                *settings = after.clone();
                true
            }
            _ => false,
        })
    }

    async fn replace_signing_secret(
        &self,
        id: CustomModelId,
        before: &str,
        after: &str,
    ) -> Result<bool, StoreError> {
        Ok(match self.registry().models.get_mut(&id) {
            Some(model) if model.signing_secret == before => {
                after.clone_into(&mut model.signing_secret);
                true
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_contract() {
        contract(&InMemoryCustomModels::new(), UserId::generate()).await;
    }
}
