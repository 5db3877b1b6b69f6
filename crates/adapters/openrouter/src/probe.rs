//! `/ready`'s check of the embeddings service.

use std::time::Duration;

use async_trait::async_trait;
use polychat_domain::ports::{Embedder, EmbeddingPurpose, HealthProbe};

use crate::embeddings::EmbeddingsClient;

/// `/ready`'s check of the embeddings service: one short text, a short deadline.
#[derive(Debug, Clone)]
pub struct EmbeddingsProbe {
    client: EmbeddingsClient,
    timeout: Duration,
}

impl EmbeddingsProbe {
    pub fn new(client: EmbeddingsClient, timeout: Duration) -> Self {
        Self { client, timeout }
    }
}

#[async_trait]
impl HealthProbe for EmbeddingsProbe {
    fn name(&self) -> &'static str {
        "embeddings"
    }

    async fn check(&self) -> Result<(), String> {
        let text = ["ready?".to_owned()];
        let probe = self.client.embed(&text, EmbeddingPurpose::Query);
        match tokio::time::timeout(self.timeout, probe).await {
            Err(_) => Err("embeddings service did not answer in time".to_owned()),
            Ok(Err(err)) => Err(err.to_string()),
            Ok(Ok(_)) => Ok(()),
        }
    }
}
