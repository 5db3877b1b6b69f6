//! Persistence of the custom-model registry: each model and every version of its
//! settings, written together.

use async_trait::async_trait;

use super::StoreError;
use crate::custom_model::{CustomModel, ModelSettings, ModelSlug, ModelVersion};
use crate::{CustomModelId, UserId};

/// Where custom models live.
#[async_trait]
pub trait CustomModelRepository: Send + Sync {
    /// Stores a new model as its version 1.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the slug is taken.
    async fn create(&self, model: &CustomModel, changed_by: UserId) -> Result<(), StoreError>;

    /// Replaces a model's settings as a new version, keeping the previous ones; `None`
    /// when the model does not exist.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the new slug is another model's.
    async fn update(
        &self,
        id: CustomModelId,
        settings: &ModelSettings,
        changed_by: UserId,
    ) -> Result<Option<CustomModel>, StoreError>;

    async fn find(&self, id: CustomModelId) -> Result<Option<CustomModel>, StoreError>;

    async fn find_by_slug(&self, slug: &ModelSlug) -> Result<Option<CustomModel>, StoreError>;

    /// Every model by slug; the inactive ones too when asked.
    async fn list(&self, include_inactive: bool) -> Result<Vec<CustomModel>, StoreError>;

    /// A model's versions, newest first.
    async fn versions(&self, id: CustomModelId) -> Result<Vec<ModelVersion>, StoreError>;

    /// Removes a model and its versions for good; whether it existed.
    async fn purge(&self, id: CustomModelId) -> Result<bool, StoreError>;

    /// Replaces the settings of the model (`version` `None`) or of one of its versions
    /// with `after` only if they still equal `before`, without making a new version
    /// (a master-key rotation re-sealing header values); whether it replaced them.
    async fn replace_settings(
        &self,
        id: CustomModelId,
        version: Option<u32>,
        before: &ModelSettings,
        after: &ModelSettings,
    ) -> Result<bool, StoreError>;

    /// Replaces the model's sealed signing secret with `after` only if it is still
    /// `before`; whether it replaced it.
    async fn replace_signing_secret(
        &self,
        id: CustomModelId,
        before: &str,
        after: &str,
    ) -> Result<bool, StoreError>;
}
