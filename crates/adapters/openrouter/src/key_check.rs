//! [`GatewayKeyCheck`] over OpenRouter's `GET /key` (the key's own description, asked
//! with the key): 200 means it knows the key, 401/403 that it does not; anything else
//! (no answer in [`CHECK_TIMEOUT`], a 5xx, a proxy's 404) is "could not be asked", so an
//! outage never stops a user from saving a key.

use std::time::Duration;

use async_trait::async_trait;
use polychat_domain::ports::{GatewayKeyCheck, KeyVerdict};
use reqwest::{Client, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::config::{ConfigError, OpenRouterConfig};

/// How long the check may hold up saving a key.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Asks OpenRouter about a key.
#[derive(Clone)]
pub struct OpenRouterKeyCheck {
    http: Client,
    endpoint: Url,
}

impl std::fmt::Debug for OpenRouterKeyCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRouterKeyCheck")
            .field("endpoint", &self.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

impl OpenRouterKeyCheck {
    /// # Errors
    /// An unusable base URL or HTTP client setting.
    pub fn new(config: &OpenRouterConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            http: config.http_client()?,
            endpoint: config.endpoint("key")?,
        })
    }
}

#[async_trait]
impl GatewayKeyCheck for OpenRouterKeyCheck {
    async fn check(&self, key: &SecretString) -> KeyVerdict {
        let answer = self
            .http
            .get(self.endpoint.clone())
            .bearer_auth(key.expose_secret())
            .timeout(CHECK_TIMEOUT)
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => KeyVerdict::Accepted,
            Ok(response)
                if matches!(
                    response.status(),
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ) =>
            {
                KeyVerdict::Rejected
            }
            Ok(response) => KeyVerdict::Unchecked(format!(
                "OpenRouter answered {} to the key check",
                response.status().as_u16()
            )),
            Err(error) if error.is_timeout() => {
                KeyVerdict::Unchecked("OpenRouter did not answer the key check in time".to_owned())
            }
            Err(_) => KeyVerdict::Unchecked("OpenRouter could not be reached".to_owned()),
        }
    }
}
