//! Custom models answered by webhooks (n8n workflows): the call made to a model's
//! webhook, and the check of the addresses a webhook URL may reach.

use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;

use super::{Completion, LlmError, LlmMessage, LlmStream};
use crate::UserId;

/// Which of a model's two webhooks is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookKind {
    /// The chat webhook (`webhook_type: "chat"`).
    Chat,
    /// The completions webhook (`webhook_type: "completion"`, with `prompt`).
    Completion,
}

impl WebhookKind {
    /// The name the payload and the admin API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Completion => "completion",
        }
    }
}

/// Where and how a webhook is called: its URL, the model's own headers (values
/// decrypted), the secret the body is signed with, and how long an answer may take.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    pub url: String,
    pub headers: Vec<(String, SecretString)>,
    pub signing_secret: SecretString,
    pub timeout: Duration,
}

/// One call of a custom model, in the terms of the contract's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookCall {
    /// The model's slug (`model` of the payload).
    pub model: String,
    pub kind: WebhookKind,
    pub messages: Vec<LlmMessage>,
    /// The prompt of a completion call (`prompt`).
    pub prompt: Option<String>,
    /// `chatInput`: the last user message, or the prompt.
    pub chat_input: String,
    /// `sessionId`: the chat id when there is one, else the client's session id, else a
    /// fresh id.
    pub session_id: String,
    pub user_id: UserId,
    pub stream: bool,
}

/// Calls webhooks and turns every answer shape of the contract into the pipeline's
/// terms. A failure before the answer's first byte comes back as the error of the call;
/// `LlmError::Timeout` when the model's timeout passed, `LlmError::Upstream` for any
/// other failure (connect error, non-2xx, redirect, unreadable or oversized answer).
#[async_trait]
pub trait WebhookCaller: Send + Sync {
    async fn complete(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<Completion, LlmError>;

    async fn stream(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<LlmStream, LlmError>;
}

/// Fresh signing secrets for webhooks (at least 256 random bits, URL-safe text).
pub trait SigningSecrets: Send + Sync {
    fn generate(&self) -> SecretString;
}

/// Why a webhook URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("must be an http or https URL")]
    NotHttp,
    #[error("the host does not resolve")]
    Unresolvable,
    #[error("{0} is not an address webhooks may reach")]
    ForbiddenAddress(String),
}

/// The rule for the addresses webhooks may reach (public addresses, plus the networks
/// the operator opened), checked when a URL is saved; the caller checks it again on the
/// addresses it connects to.
#[async_trait]
pub trait WebhookUrlGuard: Send + Sync {
    async fn check(&self, url: &str) -> Result<(), UrlRefusal>;
}
