//! A test call of a model's webhook, made by an admin: a short message sent as a user's
//! call would send it, and what came back.

use std::time::{Duration, Instant};

use super::{CustomModelService, RegistryError};
use crate::ports::{LlmError, LlmMessage, WebhookCall, WebhookKind};
use crate::{CustomModelId, Role, UserId};

/// What a test call of a webhook found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestReport {
    pub ok: bool,
    /// The webhook's HTTP status; 504 when it did not answer in time and 502 when
    /// it could not be reached or its answer was unreadable.
    pub status: u16,
    pub latency: Duration,
    pub content: Option<String>,
    pub error: Option<String>,
}

impl CustomModelService {
    /// Calls the model's webhook with a short test message, as a user's call would.
    pub async fn test(
        &self,
        admin: UserId,
        id: CustomModelId,
        kind: WebhookKind,
    ) -> Result<TestReport, RegistryError> {
        let model = self.get(id).await?;
        let endpoint = self.endpoint(&model, kind)?;
        let text = "This is a test call from polychat.";
        let call = WebhookCall {
            model: model.settings.slug.to_string(),
            kind,
            messages: vec![LlmMessage::text(Role::User, text)],
            prompt: (kind == WebhookKind::Completion).then(|| text.to_owned()),
            chat_input: text.to_owned(),
            session_id: format!("test-{}", CustomModelId::generate()),
            user_id: admin,
            stream: false,
        };
        let started = Instant::now();
        let outcome = self.ports.webhooks.complete(&endpoint, &call).await;
        let latency = started.elapsed();
        Ok(match outcome {
            Ok(completion) => TestReport {
                ok: true,
                status: 200,
                latency,
                content: Some(completion.content),
                error: None,
            },
            Err(error) => TestReport {
                ok: false,
                status: match error {
                    LlmError::Status { status, .. } => status,
                    LlmError::Timeout => 504,
                    _ => 502,
                },
                latency,
                content: None,
                error: Some(error.to_string()),
            },
        })
    }
}
