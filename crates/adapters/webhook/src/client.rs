//! [`WebhookClient`]: the [`WebhookCaller`] of custom models. Each call is a signed
//! `POST` of the contract's payload to the model's webhook, through an HTTP client that
//! never follows redirects, uses no proxy, and resolves names through the network policy
//! ([`PolicyResolver`]); a URL whose host is an IP literal (which no resolver sees) is
//! checked against the policy before anything is sent.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::{StreamExt, stream};
use polychat_domain::ports::{
    Completion, LlmError, LlmStream, WebhookCall, WebhookCaller, WebhookEndpoint,
};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Response, redirect};
use secrecy::ExposeSecret;
use tokio::time::Instant;

use crate::guard::{literal_address, parse_http};
use crate::payload;
use crate::policy::NetworkPolicy;
use crate::resolver::{Lookup, NoPermittedAddress, PolicyResolver, SystemLookup};
use crate::sign::{self, DELIVERY_HEADER, SIGNATURE_HEADER};
use crate::stream::{AnswerContext, Answering};
use crate::tokens::{PromptText, TokenCounter};

/// Headers a model may not set: they frame the request, which is ours to frame.
const FRAMING_HEADERS: [&str; 5] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
];

/// The HTTP client could not be built (the TLS backend failed to start).
#[derive(Debug, thiserror::Error)]
#[error("the webhook HTTP client could not be built: {0}")]
pub struct ClientError(#[from] reqwest::Error);

/// Calls custom models' webhooks.
pub struct WebhookClient {
    http: reqwest::Client,
    policy: Arc<NetworkPolicy>,
    max_answer_bytes: usize,
    tokens: Arc<TokenCounter>,
}

impl std::fmt::Debug for WebhookClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookClient")
            .field("policy", &self.policy)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .finish_non_exhaustive()
    }
}

impl WebhookClient {
    /// The default bound on an answer's size: 4 MiB.
    pub const DEFAULT_MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

    /// A client whose calls reach only what `policy` permits, and read answers of at
    /// most `max_answer_bytes`.
    pub fn new(policy: NetworkPolicy, max_answer_bytes: usize) -> Result<Self, ClientError> {
        Self::with_lookup(policy, max_answer_bytes, Arc::new(SystemLookup))
    }

    pub(crate) fn with_lookup(
        policy: NetworkPolicy,
        max_answer_bytes: usize,
        lookup: Arc<dyn Lookup>,
    ) -> Result<Self, ClientError> {
        let policy = Arc::new(policy);
        let http = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            // A proxy would resolve the name itself, out of the policy's reach.
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver::new(Arc::clone(&policy), lookup)))
            .user_agent(concat!("polychat-webhook/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            policy,
            max_answer_bytes,
            tokens: Arc::new(TokenCounter::default()),
        })
    }

    /// Sends the call; the 2xx response, ready to be read. The response must start
    /// within the endpoint's timeout; with a `deadline`, the whole answer must have
    /// arrived by then (counting its tokens, done after, is not bounded).
    async fn start(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
        deadline: Option<Instant>,
    ) -> Result<Answering, LlmError> {
        let url = parse_http(&endpoint.url).map_err(|_| {
            LlmError::Upstream("the webhook URL is not an http or https URL".to_owned())
        })?;
        if literal_address(&url).is_some_and(|addr| !self.policy.permits(addr)) {
            return Err(LlmError::Upstream(
                "the webhook's address is not one webhooks may reach".to_owned(),
            ));
        }
        let body = payload::body(call);
        let headers = headers(endpoint, &body)?;
        let sending = self.http.post(url).headers(headers).body(body).send();
        let first_byte = Instant::now() + endpoint.timeout;
        let by = deadline.map_or(first_byte, |deadline| deadline.min(first_byte));
        let response = match tokio::time::timeout_at(by, sending).await {
            Err(_) => return Err(LlmError::Timeout),
            Ok(Err(error)) => return Err(send_error(&error)),
            Ok(Ok(response)) => response,
        };
        let response = successful(response)?;
        Answering::new(
            response,
            AnswerContext {
                tokens: Arc::clone(&self.tokens),
                prompt: PromptText::of(call),
                max_bytes: self.max_answer_bytes,
                gap: endpoint.timeout,
                deadline,
            },
        )
    }
}

/// The model's headers, then ours (which win): content type, delivery id, signature.
fn headers(endpoint: &WebhookEndpoint, body: &[u8]) -> Result<HeaderMap, LlmError> {
    let mut headers = HeaderMap::new();
    for (name, value) in &endpoint.headers {
        let invalid = || LlmError::Upstream(format!("the model's header `{name}` is not valid"));
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| invalid())?;
        if FRAMING_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let mut value = HeaderValue::from_str(value.expose_secret()).map_err(|_| invalid())?;
        value.set_sensitive(true);
        headers.append(name, value);
    }
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let signature = sign::signature(
        endpoint.signing_secret.expose_secret().as_bytes(),
        timestamp,
        body,
    );
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        HeaderName::from_static(DELIVERY_HEADER),
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .unwrap_or_else(|_| unreachable!("a UUID is a valid header value")),
    );
    headers.insert(
        HeaderName::from_static(SIGNATURE_HEADER),
        HeaderValue::from_str(&signature)
            .unwrap_or_else(|_| unreachable!("a signature is a valid header value")),
    );
    Ok(headers)
}

/// Why sending failed, without the URL (which may carry a token).
fn send_error(error: &reqwest::Error) -> LlmError {
    tracing::warn!(error = %DisplayChain(error), "a webhook call failed");
    if caused_by::<NoPermittedAddress>(error) {
        return LlmError::Upstream(NoPermittedAddress.to_string());
    }
    if error.is_timeout() {
        return LlmError::Timeout;
    }
    LlmError::Upstream(if error.is_connect() {
        "could not connect to the webhook".to_owned()
    } else {
        "the webhook call failed".to_owned()
    })
}

fn caused_by<E: std::error::Error + 'static>(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if current.is::<E>() {
            return true;
        }
        source = current.source();
    }
    false
}

/// An error and its causes, the URL left out.
struct DisplayChain<'a>(&'a reqwest::Error);

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut source = std::error::Error::source(self.0);
        write!(f, "webhook request failed")?;
        while let Some(current) = source {
            write!(f, ": {current}")?;
            source = current.source();
        }
        Ok(())
    }
}

/// The response when its status is 2xx. Redirects are not followed: a 3xx fails too.
fn successful(response: Response) -> Result<Response, LlmError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let detail = if status.is_redirection() {
        format!(
            "the webhook answered with a redirect ({}), which is not followed",
            status.as_u16()
        )
    } else {
        format!("the webhook answered with status {}", status.as_u16())
    };
    Err(LlmError::Status {
        status: status.as_u16(),
        detail,
    })
}

#[async_trait]
impl WebhookCaller for WebhookClient {
    async fn complete(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<Completion, LlmError> {
        let deadline = Instant::now() + endpoint.timeout;
        self.start(endpoint, call, Some(deadline))
            .await?
            .collect()
            .await
    }

    async fn stream(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<LlmStream, LlmError> {
        let mut answering = self.start(endpoint, call, None).await?;
        // An error before the first event is the error of the call.
        let first = match answering.next().await {
            Some(Ok(event)) => event,
            Some(Err(error)) => return Err(error),
            None => return Err(LlmError::Upstream("the webhook sent no answer".to_owned())),
        };
        let rest = stream::unfold(answering, |mut answering| async move {
            answering.next().await.map(|event| (event, answering))
        });
        Ok(Box::pin(stream::iter([Ok(first)]).chain(rest)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use polychat_domain::ports::{LlmMessage, WebhookKind};
    use polychat_domain::{Role, UserId};
    use secrecy::SecretString;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use crate::resolver::StubLookup;

    /// A server on 127.0.0.1 answering `{"output":"reached"}`; counts connections.
    async fn server() -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&hits);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let mut buffer = [0_u8; 8192];
                let _ = socket.read(&mut buffer).await;
                let body = r#"{"output":"reached"}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        (port, hits)
    }

    fn client(policy: NetworkPolicy) -> WebhookClient {
        // The name's DNS answer changed to loopback after the URL was saved.
        let lookup = StubLookup(HashMap::from([(
            "rebound.example.com",
            vec!["127.0.0.1".parse().expect("an address")],
        )]));
        WebhookClient::with_lookup(policy, 1 << 20, Arc::new(lookup)).expect("a client")
    }

    fn endpoint(port: u16) -> WebhookEndpoint {
        WebhookEndpoint {
            url: format!("http://rebound.example.com:{port}/webhook"),
            headers: Vec::new(),
            signing_secret: SecretString::from("secret"),
            timeout: Duration::from_secs(5),
        }
    }

    fn call() -> WebhookCall {
        WebhookCall {
            model: "m".to_owned(),
            kind: WebhookKind::Chat,
            messages: vec![LlmMessage::text(Role::User, "hi")],
            prompt: None,
            chat_input: "hi".to_owned(),
            session_id: "s".to_owned(),
            user_id: UserId::generate(),
            stream: false,
        }
    }

    #[tokio::test]
    async fn a_name_rebound_to_loopback_is_never_connected_to() {
        let (port, hits) = server().await;
        let result = client(NetworkPolicy::public_only())
            .complete(&endpoint(port), &call())
            .await;
        match result {
            Err(LlmError::Upstream(message)) => {
                assert_eq!(message, NoPermittedAddress.to_string());
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let result = client(NetworkPolicy::public_only())
            .stream(&endpoint(port), &call())
            .await;
        assert!(matches!(result, Err(LlmError::Upstream(_))));
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_client_resolves_through_the_policy_resolver() {
        let (port, hits) = server().await;
        let policy = NetworkPolicy::parse("127.0.0.0/8").expect("valid");
        let completion = client(policy)
            .complete(&endpoint(port), &call())
            .await
            .expect("the opened network is reached");
        assert_eq!(completion.content, "reached");
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}
