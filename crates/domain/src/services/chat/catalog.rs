//! The models a client may pick: the upstream's catalog (cached by its adapter) and
//! always the server's default model, also while the upstream cannot be reached; and
//! which provider answers for a model id.

use std::sync::Arc;

use async_trait::async_trait;

use super::{ChatError, ChatService};
use crate::ModelName;
use crate::ports::{LlmError, LlmProvider, ModelInfo, ModelRouter};

impl ChatService {
    /// Every model a client may ask for.
    pub async fn models(&self) -> Vec<ModelInfo> {
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
        models
    }

    /// One model by its id.
    pub async fn model(&self, id: &str) -> Result<ModelInfo, ChatError> {
        self.models()
            .await
            .into_iter()
            .find(|model| model.id == id)
            .ok_or(ChatError::ModelNotFound)
    }
}

/// The contract's routing rule: a model id with a `/` (`vendor/model`) goes to the
/// gateway (OpenRouter) with the user's own key; no other id names a model yet.
pub struct GatewayRouter {
    gateway: Arc<dyn LlmProvider>,
}

impl GatewayRouter {
    pub fn new(gateway: Arc<dyn LlmProvider>) -> Self {
        Self { gateway }
    }
}

#[async_trait]
impl ModelRouter for GatewayRouter {
    async fn route(&self, model: &ModelName) -> Result<Option<Arc<dyn LlmProvider>>, LlmError> {
        Ok(model.as_str().contains('/').then(|| self.gateway.clone()))
    }
}
