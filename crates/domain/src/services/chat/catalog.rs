//! The models a client may pick: the custom models the user may use, the upstream's
//! catalog (cached by its adapter) and always the server's default model, also while
//! the upstream cannot be reached.

use super::{ChatError, ChatService};
use crate::UserId;
use crate::ports::{ModelCaller, ModelInfo};

impl ChatService {
    /// Every model `owner` may ask for.
    pub async fn models(&self, owner: UserId) -> Result<Vec<ModelInfo>, ChatError> {
        let access = self.auth.model_access(owner).await?;
        let caller = ModelCaller {
            user_id: owner,
            username: access.username,
            role: access.role,
            session_id: String::new(),
            has_gateway_key: access.api_key.is_some(),
        };
        let custom = self.ports.models.custom_models(&caller).await?;
        let mut models = match self.ports.catalog.models().await {
            Ok(models) => models,
            Err(error) => {
                tracing::warn!(error = %error, "model catalog unavailable; listing the default model only");
                Vec::new()
            }
        };
        let default = self.policy.default_model.as_str();
        if !models.iter().any(|model| model.id == default) {
            let vendor = default
                .split_once('/')
                .map_or(default, |(vendor, _)| vendor);
            models.insert(
                0,
                ModelInfo {
                    id: default.to_owned(),
                    owned_by: vendor.to_owned(),
                    created: 0,
                    name: None,
                    description: None,
                },
            );
        }
        Ok(custom.into_iter().chain(models).collect())
    }

    /// One model by its id.
    pub async fn model(&self, owner: UserId, id: &str) -> Result<ModelInfo, ChatError> {
        self.models(owner)
            .await?
            .into_iter()
            .find(|model| model.id == id)
            .ok_or(ChatError::ModelNotFound)
    }
}
