//! Re-sealing the registry's secrets after the master key rotates: every model's
//! signing secret and the header values of its settings and of each of its versions,
//! so an old master key can be retired. Safe while the service serves: a value changed
//! meanwhile is left as it was changed.

use super::{CustomModelService, RegistryError};
use crate::CustomModelId;
use crate::custom_model::{CustomModel, ModelSettings};
use crate::ports::{CipherError, SecretOwner};
use crate::services::ServiceError;
use crate::services::auth::RotationReport;

impl CustomModelService {
    /// Re-encrypts every sealed value of the registry that an older master key sealed.
    pub async fn reseal(&self) -> Result<RotationReport, RegistryError> {
        let mut report = RotationReport::default();
        for model in self.ports.models.list(true).await? {
            self.reseal_model(&model, &mut report).await?;
        }
        if report.rotated > 0 {
            self.changed().await;
        }
        Ok(report)
    }

    async fn reseal_model(
        &self,
        model: &CustomModel,
        report: &mut RotationReport,
    ) -> Result<(), RegistryError> {
        let id = model.id;
        report.examined += 1;
        let owner = SecretOwner::ModelSigning(id);
        if let Some(sealed) = self.resealed(owner, &model.signing_secret, report)?
            && self
                .ports
                .models
                .replace_signing_secret(id, &model.signing_secret, &sealed)
                .await?
        {
            report.rotated += 1;
        }
        self.reseal_settings(id, None, &model.settings, report)
            .await?;
        for version in self.ports.models.versions(id).await? {
            self.reseal_settings(id, Some(version.version), &version.settings, report)
                .await?;
        }
        Ok(())
    }

    /// Re-seals the header values of one set of settings (the model's, or a version's).
    async fn reseal_settings(
        &self,
        id: CustomModelId,
        version: Option<u32>,
        settings: &ModelSettings,
        report: &mut RotationReport,
    ) -> Result<(), RegistryError> {
        let mut after = settings.clone();
        let mut changed = 0;
        for header in &mut after.webhook_headers {
            report.examined += 1;
            let owner = SecretOwner::ModelHeader(id, &header.name);
            if let Some(sealed) = self.resealed(owner, &header.ciphertext, report)? {
                header.ciphertext = sealed;
                changed += 1;
            }
        }
        if changed > 0
            && self
                .ports
                .models
                .replace_settings(id, version, settings, &after)
                .await?
        {
            report.rotated += changed;
        }
        Ok(())
    }

    /// `ciphertext` sealed again under the current master key, `None` when it already
    /// is or cannot be opened (counted as undecryptable).
    fn resealed(
        &self,
        owner: SecretOwner<'_>,
        ciphertext: &str,
        report: &mut RotationReport,
    ) -> Result<Option<String>, RegistryError> {
        let cipher = &self.ports.cipher;
        if !cipher.needs_rotation(ciphertext) {
            return Ok(None);
        }
        match cipher.decrypt(owner, ciphertext) {
            Ok(plaintext) => cipher.encrypt(owner, &plaintext).map(Some).map_err(unknown),
            Err(CipherError::Undecryptable) => {
                report.undecryptable += 1;
                Ok(None)
            }
            Err(error) => Err(unknown(error)),
        }
    }
}

fn unknown(error: CipherError) -> RegistryError {
    RegistryError::Service(ServiceError::Unknown(error.into()))
}
