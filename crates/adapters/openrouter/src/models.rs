//! [`ModelCatalog`] over the upstream's `GET /models`: fetched at most once per
//! [`CATALOG_TTL`] and shared by every request; while the upstream cannot be reached
//! the last list fetched is served (an empty one before any fetch succeeded), and a
//! failed fetch is not retried for [`RETRY_AFTER_FAILURE`], so an upstream outage never
//! slows the listing down.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use polychat_domain::ports::{LlmError, ModelCatalog, ModelInfo};
use reqwest::{Client, Url};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::{ConfigError, OpenRouterConfig};

/// How long a fetched list is served before it is fetched again.
const CATALOG_TTL: Duration = Duration::from_mins(10);
/// How long after a failed fetch the last list is served without trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);
/// The catalog's reply is read only this far (OpenRouter's is about 1 MB).
const MAX_CATALOG_BYTES: usize = 8 * 1024 * 1024;
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Cached {
    models: Arc<Vec<ModelInfo>>,
    /// When the list must be fetched again; `None` before the first fetch.
    refresh_at: Option<Instant>,
}

/// The upstream's model list. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct OpenRouterCatalog {
    http: Client,
    endpoint: Url,
    cached: Arc<Mutex<Cached>>,
}

impl std::fmt::Debug for OpenRouterCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRouterCatalog")
            .field("endpoint", &self.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct WireList {
    data: Vec<WireModel>,
}

#[derive(Deserialize)]
struct WireModel {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    owned_by: Option<String>,
}

impl OpenRouterCatalog {
    /// # Errors
    /// An unusable base URL or HTTP client setting.
    pub fn new(config: &OpenRouterConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            http: config.http_client()?,
            endpoint: config.endpoint("models")?,
            cached: Arc::default(),
        })
    }

    async fn fetch(&self) -> Result<Vec<ModelInfo>, LlmError> {
        let fail = |what: String| LlmError::Upstream(format!("model catalog: {what}"));
        let mut response = self
            .http
            .get(self.endpoint.clone())
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|error| fail(error.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(fail(format!("upstream answered {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| fail(error.without_url().to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_CATALOG_BYTES {
                return Err(fail(format!("reply exceeds {MAX_CATALOG_BYTES} bytes")));
            }
        }
        let list: WireList =
            serde_json::from_slice(&body).map_err(|error| fail(error.to_string()))?;
        Ok(list
            .data
            .into_iter()
            .map(|model| {
                let vendor = model
                    .id
                    .split_once('/')
                    .map(|(vendor, _)| vendor.to_owned());
                ModelInfo {
                    owned_by: model
                        .owned_by
                        .or(vendor)
                        .unwrap_or_else(|| "openrouter".to_owned()),
                    id: model.id,
                    created: model.created.unwrap_or(0),
                    name: model.name,
                    description: model.description,
                }
            })
            .collect())
    }
}

#[async_trait]
impl ModelCatalog for OpenRouterCatalog {
    async fn models(&self) -> Result<Vec<ModelInfo>, LlmError> {
        let mut cached = self.cached.lock().await;
        let now = Instant::now();
        if cached.refresh_at.is_some_and(|at| at > now) {
            return Ok(cached.models.as_ref().clone());
        }
        match self.fetch().await {
            Ok(models) => {
                cached.models = Arc::new(models);
                cached.refresh_at = Some(now + CATALOG_TTL);
                Ok(cached.models.as_ref().clone())
            }
            Err(error) => {
                cached.refresh_at = Some(now + RETRY_AFTER_FAILURE);
                if cached.models.is_empty() {
                    return Err(error);
                }
                tracing::warn!(error = %error, "model catalog not refreshed; serving the last list");
                Ok(cached.models.as_ref().clone())
            }
        }
    }
}
