//! [`WebhookCaller`] over HTTP: the signed `POST`, no redirects, the model's timeout, a
//! bounded answer, and only addresses the network policy allows (a guarded resolver
//! for names, a check of its own for IP literals).

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream};
use futures_util::{StreamExt as _, TryStreamExt as _};
use polychat_domain::Usage;
use polychat_domain::ports::{
    Completion, LlmError, LlmStream, StreamEvent, WebhookCall, WebhookCaller, WebhookEndpoint,
};
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::{Client, Response, Url, redirect};
use secrecy::ExposeSecret as _;
use tokio::time::timeout;

use crate::decode::{Decoder, Piece};
use crate::network::NetworkPolicy;
use crate::payload;
use crate::resolver::{GuardedResolver, Lookup, SystemLookup};
use crate::tokens::TokenCounter;

/// The webhook client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("the webhook client cannot start: {0}")]
pub struct ClientError(String);

/// Calls custom models' webhooks.
#[derive(Clone)]
pub struct WebhookClient {
    http: Client,
    policy: NetworkPolicy,
    max_answer_bytes: usize,
    tokens: TokenCounter,
}

impl WebhookClient {
    /// A client that reaches only what `policy` allows and reads at most
    /// `max_answer_bytes` of an answer.
    ///
    /// # Errors
    /// When the HTTP client or the tokenizer cannot be built.
    pub fn new(policy: NetworkPolicy, max_answer_bytes: usize) -> Result<Self, ClientError> {
        Self::with_lookup(policy, max_answer_bytes, Arc::new(SystemLookup))
    }

    /// The same, resolving names through `lookup` (tests stand in for DNS with it).
    ///
    /// # Errors
    /// When the HTTP client or the tokenizer cannot be built.
    pub fn with_lookup(
        policy: NetworkPolicy,
        max_answer_bytes: usize,
        lookup: Arc<dyn Lookup>,
    ) -> Result<Self, ClientError> {
        let http = Client::builder()
            .redirect(redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver::new(policy.clone(), lookup)))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("polychat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError(e.to_string()))?;
        let tokens = TokenCounter::new().map_err(|e| ClientError(e.to_string()))?;
        Ok(Self {
            http,
            policy,
            max_answer_bytes,
            tokens,
        })
    }

    /// Sends the signed call; the answer's status and headers are in.
    async fn send(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<Response, LlmError> {
        let url = Url::parse(&endpoint.url).map_err(|_| upstream("the webhook URL is invalid"))?;
        if let Some(host) = url.host_str() {
            let literal = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(address) = literal.parse::<IpAddr>()
                && !self.policy.allows(address)
            {
                return Err(upstream(
                    "the webhook URL's address is not one webhooks may reach",
                ));
            }
        }
        let body = payload::body(call);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("X-Polychat-Delivery", uuid::Uuid::new_v4().to_string())
            .header(
                "X-Polychat-Signature",
                payload::signature(&endpoint.signing_secret, now, &body),
            );
        for (name, value) in &endpoint.headers {
            let name = HeaderName::try_from(name.as_str())
                .map_err(|_| upstream("a webhook header name is invalid"))?;
            let mut value = HeaderValue::from_str(value.expose_secret())
                .map_err(|_| upstream("a webhook header value is invalid"))?;
            value.set_sensitive(true);
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(|error| {
            if error.is_timeout() {
                LlmError::Timeout
            } else {
                tracing::warn!(error = %error, "webhook call failed");
                upstream("the webhook could not be reached")
            }
        })?;
        let status = response.status();
        if status.is_redirection() {
            return Err(upstream(&format!(
                "the webhook answered {status} (redirects are not followed)"
            )));
        }
        if !status.is_success() {
            return Err(upstream(&format!("the webhook answered {status}")));
        }
        Ok(response)
    }

    fn decoder(response: &Response) -> Decoder {
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Decoder::new(content_type)
    }

    /// The final event: the answer's own usage, else an estimate.
    fn finished(
        &self,
        call: &WebhookCall,
        answer: &str,
        usage: Option<Usage>,
        reason: Option<String>,
    ) -> StreamEvent {
        StreamEvent::Finished {
            model: None,
            usage: Some(usage.unwrap_or_else(|| self.tokens.estimate(call, answer))),
            finish_reason: Some(reason.unwrap_or_else(|| "stop".to_owned())),
        }
    }
}

fn upstream(message: &str) -> LlmError {
    LlmError::Upstream(message.to_owned())
}

/// An answer being read: its bytes, the decoder, and what it said so far.
struct Reading {
    body: BoxStream<'static, Result<Bytes, LlmError>>,
    decoder: Decoder,
    /// Decoded but not yet handed on.
    ready: VecDeque<Piece>,
    read_bytes: usize,
    max_bytes: usize,
    gap: Duration,
    done: bool,
}

impl Reading {
    fn new(response: Response, max_bytes: usize, gap: Duration) -> Self {
        let decoder = WebhookClient::decoder(&response);
        let body = response
            .bytes_stream()
            .map_err(|error| {
                if error.is_timeout() {
                    LlmError::Timeout
                } else {
                    upstream("the webhook's answer broke off")
                }
            })
            .boxed();
        Self {
            body,
            decoder,
            ready: VecDeque::new(),
            read_bytes: 0,
            max_bytes,
            gap,
            done: false,
        }
    }

    /// The next piece, `None` at the end of the answer.
    async fn next(&mut self) -> Result<Option<Piece>, LlmError> {
        loop {
            if let Some(piece) = self.ready.pop_front() {
                return Ok(Some(piece));
            }
            if self.done {
                return Ok(None);
            }
            let chunk = timeout(self.gap, self.body.next())
                .await
                .map_err(|_| LlmError::Timeout)?;
            if let Some(bytes) = chunk {
                let bytes = bytes?;
                self.read_bytes += bytes.len();
                if self.read_bytes > self.max_bytes {
                    return Err(upstream("the webhook's answer is too large"));
                }
                self.ready.extend(self.decoder.push(&bytes)?);
                if self.decoder.ended() {
                    self.done = true;
                }
            } else {
                self.ready.extend(self.decoder.finish()?);
                self.done = true;
            }
        }
    }
}

#[async_trait]
impl WebhookCaller for WebhookClient {
    async fn complete(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<Completion, LlmError> {
        let whole = async {
            let response = self.send(endpoint, call).await?;
            let mut reading = Reading::new(response, self.max_answer_bytes, endpoint.timeout);
            let (mut content, mut usage, mut reason) = (String::new(), None, None);
            while let Some(piece) = reading.next().await? {
                match piece {
                    Piece::Delta(text) => content.push_str(&text),
                    Piece::Usage(reported) => usage = Some(reported),
                    Piece::FinishReason(said) => reason = Some(said),
                }
            }
            Ok::<_, LlmError>((content, usage, reason))
        };
        let (content, usage, reason) = timeout(endpoint.timeout, whole)
            .await
            .map_err(|_| LlmError::Timeout)??;
        let StreamEvent::Finished {
            usage,
            finish_reason,
            ..
        } = self.finished(call, &content, usage, reason)
        else {
            unreachable!("finished() builds a Finished event")
        };
        Ok(Completion {
            content,
            model: None,
            usage: usage.unwrap_or_default(),
            finish_reason,
            tool_calls: None,
        })
    }

    async fn stream(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<LlmStream, LlmError> {
        let response = timeout(endpoint.timeout, self.send(endpoint, call))
            .await
            .map_err(|_| LlmError::Timeout)??;
        let mut reading = Reading::new(response, self.max_answer_bytes, endpoint.timeout);
        // Read up to the first content, so a failure before it is the call's (and a
        // fallback may still answer); after it, failures come through the stream.
        let mut first = Vec::new();
        loop {
            match reading.next().await? {
                Some(Piece::Delta(text)) => {
                    first.push(Piece::Delta(text));
                    break;
                }
                Some(other) => first.push(other),
                None => break,
            }
        }
        let client = self.clone();
        let call = call.clone();
        let state = (
            reading,
            VecDeque::from(first),
            String::new(),
            None::<Usage>,
            None::<String>,
            false,
        );
        let events = stream::unfold(
            state,
            move |(mut reading, mut first, mut text, mut usage, mut reason, finished)| {
                let client = client.clone();
                let call = call.clone();
                async move {
                    if finished {
                        return None;
                    }
                    loop {
                        let next = match first.pop_front() {
                            Some(piece) => Ok(Some(piece)),
                            None => reading.next().await,
                        };
                        match next {
                            Ok(Some(Piece::Delta(delta))) => {
                                text.push_str(&delta);
                                return Some((
                                    Ok(StreamEvent::Delta(delta)),
                                    (reading, first, text, usage, reason, false),
                                ));
                            }
                            Ok(Some(Piece::Usage(reported))) => usage = Some(reported),
                            Ok(Some(Piece::FinishReason(said))) => reason = Some(said),
                            Ok(None) => {
                                let event = client.finished(&call, &text, usage, reason.clone());
                                return Some((
                                    Ok(event),
                                    (reading, first, text, usage, reason, true),
                                ));
                            }
                            Err(error) => {
                                return Some((
                                    Err(error),
                                    (reading, first, text, usage, reason, true),
                                ));
                            }
                        }
                    }
                }
            },
        );
        Ok(events.boxed())
    }
}
