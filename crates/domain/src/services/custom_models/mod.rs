//! The custom-model registry an admin keeps: creating, changing (each change a new
//! version, the old ones kept), restoring, deactivating, exporting and importing models,
//! and a test call of a model's webhook. Header values and the signing secret are sealed
//! by the cipher and never leave this module in clear except into a webhook call.
//!
//! A replica remembers the models it routed to under the registry's stamp (see
//! `stamped_cache`); every change renews that stamp after it is stored, so it takes
//! effect on every replica at their next call, and a model call reads no database while
//! the registry is unchanged.

mod circuit;
mod draft;
mod reseal;
mod route;
mod test_call;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::custom_model::{CustomModel, ModelSettings, ModelSlug, ModelVersion, SealedHeader};
use crate::ports::{
    Clock, CustomModelRepository, SecretCipher, SecretOwner, SigningSecrets, StampScope, Stamps,
    StoreError, Telemetry, WebhookCaller, WebhookEndpoint, WebhookKind, WebhookUrlGuard,
};
use crate::services::ServiceError;
use crate::services::stamped_cache::{StampedCache, read_stamp, renew_stamp};
use crate::{CustomModelId, UserId, ValidationError};

pub use circuit::CircuitPolicy;
pub use draft::ModelDraft;
pub use route::RegistryRouter;
pub use test_call::TestReport;

/// The ports the registry needs.
#[derive(Clone)]
pub struct CustomModelPorts {
    pub models: Arc<dyn CustomModelRepository>,
    pub cipher: Arc<dyn SecretCipher>,
    pub secrets: Arc<dyn SigningSecrets>,
    pub urls: Arc<dyn WebhookUrlGuard>,
    pub webhooks: Arc<dyn WebhookCaller>,
    /// Shared by every replica; the registry's is renewed at every change.
    pub stamps: Arc<dyn Stamps>,
    pub clock: Arc<dyn Clock>,
    pub telemetry: Arc<dyn Telemetry>,
}

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("the slug is taken")]
    SlugTaken,
    #[error("no such model")]
    NotFound,
    #[error("{field}: {reason}")]
    UrlForbidden { field: &'static str, reason: String },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for RegistryError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Duplicate => Self::SlugTaken,
            other => Self::Service(other.into()),
        }
    }
}

/// A new model and its signing secret, shown this once.
#[derive(Debug)]
pub struct CreatedModel {
    pub model: CustomModel,
    pub signing_secret: SecretString,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
}

/// The registry use case.
pub struct CustomModelService {
    ports: CustomModelPorts,
    /// Models by slug (or their absence), as routed to, under the registry's stamp.
    routed: StampedCache<ModelSlug, Option<CustomModel>>,
}

impl CustomModelService {
    pub fn new(ports: CustomModelPorts) -> Self {
        Self {
            ports,
            routed: StampedCache::new(),
        }
    }

    /// The model `slug` names, as remembered under the registry's current stamp, or
    /// else as stored (then remembered under the stamp read before that read).
    pub(crate) async fn routed_model(
        &self,
        slug: &ModelSlug,
    ) -> Result<Option<CustomModel>, StoreError> {
        let stamp = read_stamp(self.ports.stamps.as_ref(), StampScope::ModelRegistry).await;
        let read = self.ports.models.find_by_slug(slug);
        let now = self.ports.clock.now();
        self.routed
            .get_or_load(slug.clone(), stamp, now, read)
            .await
    }

    /// Renews the registry's stamp after a change was stored.
    async fn changed(&self) {
        renew_stamp(self.ports.stamps.as_ref(), StampScope::ModelRegistry).await;
    }

    pub async fn create(
        &self,
        admin: UserId,
        draft: ModelDraft,
    ) -> Result<CreatedModel, RegistryError> {
        let id = CustomModelId::generate();
        let settings = self.settings(id, None, draft).await?;
        let signing_secret = self.ports.secrets.generate();
        let now = self.ports.clock.now();
        let model = CustomModel {
            id,
            settings,
            signing_secret: self.seal(SecretOwner::ModelSigning(id), &signing_secret)?,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.ports.models.create(&model, admin).await?;
        self.changed().await;
        Ok(CreatedModel {
            model,
            signing_secret,
        })
    }

    pub async fn update(
        &self,
        admin: UserId,
        id: CustomModelId,
        draft: ModelDraft,
    ) -> Result<CustomModel, RegistryError> {
        let current = self.get(id).await?;
        let settings = self.settings(id, Some(&current.settings), draft).await?;
        self.write(admin, id, &settings).await
    }

    pub async fn get(&self, id: CustomModelId) -> Result<CustomModel, RegistryError> {
        self.ports
            .models
            .find(id)
            .await?
            .ok_or(RegistryError::NotFound)
    }

    pub async fn list(&self, include_inactive: bool) -> Result<Vec<CustomModel>, RegistryError> {
        Ok(self.ports.models.list(include_inactive).await?)
    }

    /// Deactivates a model (its versions kept), or with `purge` removes it for good.
    pub async fn delete(
        &self,
        admin: UserId,
        id: CustomModelId,
        purge: bool,
    ) -> Result<(), RegistryError> {
        if purge {
            return if self.ports.models.purge(id).await? {
                self.changed().await;
                Ok(())
            } else {
                Err(RegistryError::NotFound)
            };
        }
        let mut settings = self.get(id).await?.settings;
        if settings.is_active {
            settings.is_active = false;
            self.write(admin, id, &settings).await?;
        }
        Ok(())
    }

    pub async fn versions(&self, id: CustomModelId) -> Result<Vec<ModelVersion>, RegistryError> {
        let versions = self.ports.models.versions(id).await?;
        if versions.is_empty() {
            return Err(RegistryError::NotFound);
        }
        Ok(versions)
    }

    /// A new version with the settings `version` had.
    pub async fn restore(
        &self,
        admin: UserId,
        id: CustomModelId,
        version: u32,
    ) -> Result<CustomModel, RegistryError> {
        let old = self
            .versions(id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(RegistryError::NotFound)?;
        self.check_fallback(id, &old.settings).await?;
        self.write(admin, id, &old.settings).await
    }

    /// Creates the models whose slug is new and updates the others, by slug. Imported
    /// drafts carry no header values: an updated model keeps its own, a created one has
    /// none.
    pub async fn import(
        &self,
        admin: UserId,
        drafts: Vec<ModelDraft>,
    ) -> Result<ImportReport, RegistryError> {
        let mut report = ImportReport::default();
        for draft in drafts {
            let slug = ModelSlug::parse(draft.slug.as_deref().unwrap_or_default())?;
            if let Some(existing) = self.ports.models.find_by_slug(&slug).await? {
                self.update(admin, existing.id, draft).await?;
                report.updated += 1;
            } else {
                self.create(admin, draft).await?;
                report.created += 1;
            }
        }
        Ok(report)
    }

    /// Where and how `model`'s webhook of `kind` is called, secrets opened.
    pub fn endpoint(
        &self,
        model: &CustomModel,
        kind: WebhookKind,
    ) -> Result<WebhookEndpoint, RegistryError> {
        let settings = &model.settings;
        let open = |owner, ciphertext: &str| {
            self.ports
                .cipher
                .decrypt(owner, ciphertext)
                .map_err(|e| RegistryError::Service(ServiceError::Unknown(e.into())))
        };
        let headers = settings
            .webhook_headers
            .iter()
            .map(|h| {
                let value = open(SecretOwner::ModelHeader(model.id, &h.name), &h.ciphertext)?;
                Ok((h.name.clone(), value))
            })
            .collect::<Result<_, RegistryError>>()?;
        Ok(WebhookEndpoint {
            url: match kind {
                WebhookKind::Chat => settings.chat_webhook_url.clone(),
                WebhookKind::Completion => settings.completions_webhook_url.clone(),
            },
            headers,
            signing_secret: open(SecretOwner::ModelSigning(model.id), &model.signing_secret)?,
            timeout: Duration::from_secs(u64::from(settings.timeout_seconds)),
        })
    }

    async fn write(
        &self,
        admin: UserId,
        id: CustomModelId,
        settings: &ModelSettings,
    ) -> Result<CustomModel, RegistryError> {
        let model = self
            .ports
            .models
            .update(id, settings, admin)
            .await?
            .ok_or(RegistryError::NotFound)?;
        self.changed().await;
        Ok(model)
    }

    /// The settings a draft makes, over `current` for a change: validated, URLs
    /// checked, header values sealed, the fallback chain free of cycles.
    async fn settings(
        &self,
        id: CustomModelId,
        current: Option<&ModelSettings>,
        draft: ModelDraft,
    ) -> Result<ModelSettings, RegistryError> {
        let (settings, headers) = draft.apply(current)?;
        for (field, url) in [
            ("chat_webhook_url", &settings.chat_webhook_url),
            ("completions_webhook_url", &settings.completions_webhook_url),
        ] {
            self.ports
                .urls
                .check(url)
                .await
                .map_err(|refusal| RegistryError::UrlForbidden {
                    field,
                    reason: refusal.to_string(),
                })?;
        }
        let mut settings = settings;
        if let Some(headers) = headers {
            settings.webhook_headers = headers
                .into_iter()
                .map(|(name, value)| {
                    let ciphertext = self.seal(SecretOwner::ModelHeader(id, &name), &value)?;
                    Ok(SealedHeader { name, ciphertext })
                })
                .collect::<Result<_, RegistryError>>()?;
        }
        self.check_fallback(id, &settings).await?;
        Ok(settings)
    }

    /// A fallback is an OpenRouter id or another model's slug whose own fallbacks never
    /// lead back to this model.
    async fn check_fallback(
        &self,
        id: CustomModelId,
        settings: &ModelSettings,
    ) -> Result<(), RegistryError> {
        let cycle = || ValidationError::new("fallback_model", "the fallbacks form a cycle");
        let mut seen = vec![settings.slug.clone()];
        let mut next = settings.fallback_model.clone();
        while let Some(model) = next {
            let Some(slug) = ModelSlug::from_model(&model) else {
                return Ok(());
            };
            if seen.contains(&slug) {
                return Err(cycle().into());
            }
            let found = self.ports.models.find_by_slug(&slug).await?;
            let found = found.filter(|m| m.id != id).ok_or_else(|| {
                ValidationError::new(
                    "fallback_model",
                    "names no model (a slug or an OpenRouter id)",
                )
            })?;
            seen.push(slug);
            next = found.settings.fallback_model;
        }
        Ok(())
    }

    fn seal(&self, owner: SecretOwner<'_>, value: &SecretString) -> Result<String, RegistryError> {
        self.ports
            .cipher
            .encrypt(owner, value)
            .map_err(|e| RegistryError::Service(ServiceError::Unknown(e.into())))
    }
}
