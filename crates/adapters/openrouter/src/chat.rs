//! [`LlmProvider`] over OpenRouter's (or any OpenAI-compatible) `/chat/completions`
//! and legacy `/completions`, with each user's own key.

use async_trait::async_trait;
use futures_util::stream;
use polychat_domain::ports::{
    Completion, CompletionRequest, LlmError, LlmProvider, LlmStream, ModelInput,
};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, Url};
use tokio::time::Instant;

use crate::config::{ConfigError, OpenRouterConfig};
use crate::transport::{Limits, Transport, read_body};
use crate::{decode, stream as sse_stream, wire};

/// The chat-completions client. Cheap to clone; share one per process.
#[derive(Debug, Clone)]
pub struct OpenRouterClient {
    transport: Transport,
    chat_endpoint: Url,
    text_endpoint: Url,
    total_timeout: std::time::Duration,
}

impl OpenRouterClient {
    /// # Errors
    /// An unusable base URL, header value or timeout.
    pub fn new(config: &OpenRouterConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            transport: Transport {
                http: config.http_client()?,
                limits: Limits {
                    first_byte: config.first_byte_timeout,
                    chunk_gap: config.chunk_gap_timeout,
                    max_retries: config.max_retries,
                    max_response_bytes: config.max_response_bytes,
                    backoff_base: config.backoff_base,
                    backoff_cap: config.backoff_cap,
                },
            },
            chat_endpoint: config.endpoint("chat/completions")?,
            text_endpoint: config.endpoint("completions")?,
            total_timeout: config.total_timeout,
        })
    }

    async fn send(
        &self,
        request: &CompletionRequest,
        streamed: bool,
        deadline: Instant,
    ) -> Result<Response, LlmError> {
        let (endpoint, body) = match &request.input {
            ModelInput::Chat(_) => (&self.chat_endpoint, wire::chat_request(request, streamed)),
            ModelInput::Text(_) => (&self.text_endpoint, wire::text_request(request, streamed)),
        };
        let body = serde_json::to_vec(&body).map_err(|err| LlmError::Unknown(err.into()))?;
        let accept = if streamed {
            "text/event-stream"
        } else {
            "application/json"
        };
        self.transport
            .send(endpoint, body, &request.api_key, accept, deadline)
            .await
    }
}

fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("text/event-stream"))
}

#[async_trait]
impl LlmProvider for OpenRouterClient {
    async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        let deadline = Instant::now() + self.total_timeout;
        let mut response = self.send(&request, false, deadline).await?;
        let body = read_body(&mut response, self.transport.limits, deadline).await?;
        decode::completion(&body, &request.api_key)
    }

    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError> {
        let deadline = Instant::now() + self.total_timeout;
        let mut response = self.send(&request, true, deadline).await?;
        if is_event_stream(&response) {
            return Ok(sse_stream::events(
                response,
                request.api_key,
                self.transport.limits,
                deadline,
            ));
        }
        // A server that ignored `stream: true`, or a 200 carrying an error body: read it
        // whole and hand it on in stream form.
        let body = read_body(&mut response, self.transport.limits, deadline).await?;
        let completion = decode::completion(&body, &request.api_key)?;
        let events = completion.into_events().into_iter().map(Ok);
        Ok(Box::pin(stream::iter(events.collect::<Vec<_>>())))
    }
}
