//! Admit, the first step of a turn: the request parsed, then the checks before anything
//! is stored — the rate limit, the user's credentials and the chat, read together —
//! and the provider of the model picked.

use std::sync::Arc;

use futures_util::future::join3;
use secrecy::SecretString;

use super::{ChatError, ChatService, ChatTarget, Conversation, MemoryUse, TurnRequest};
use crate::ports::{Budget, LlmProvider, ModelCaller, RateDecision};
use crate::timeline::Timeline;
use crate::{
    Chat, ChatId, ChatLabels, ChatTitle, ModelName, Prompt, Role, Usage, UserId, ValidationError,
};

/// The request's parts in domain terms.
pub(super) struct Parsed {
    /// The user's message as stored in the chat (the prompt, or the last user message).
    pub stored: Option<Prompt>,
    /// The text memory reads (recall and learning); `None` when memory is off.
    pub memory: Option<Prompt>,
    pub model: Option<ModelName>,
}

/// What the checks found.
pub(super) struct Admitted {
    /// The chat the turn is stored in: found, or made for this turn (`new_chat`).
    pub chat: Option<Chat>,
    pub new_chat: bool,
    pub model: ModelName,
    pub provider: Arc<dyn LlmProvider>,
    /// The user's OpenRouter key (empty when the user has none and the model needs none).
    pub api_key: SecretString,
    /// The user lets memory take part (the profile's `memory_enabled`).
    pub memory_enabled: bool,
}

/// Parses what the turn needs before it touches any store.
pub(super) fn parse(request: &TurnRequest) -> Result<Parsed, ChatError> {
    let model = request
        .model
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(ModelName::parse)
        .transpose()?;
    let chat = request.conversation.chat();
    let (stored, memory) = match &request.conversation {
        Conversation::Prompt { prompt, .. } => {
            let prompt = Prompt::parse(prompt)?;
            (Some(prompt.clone()), Some(prompt))
        }
        Conversation::Messages { messages, .. } => {
            if messages.is_empty() {
                return Err(ValidationError::new("messages", "must not be empty").into());
            }
            let last = messages.iter().rev().find(|m| m.role == Role::User);
            let text = last.map(|m| Prompt::parse(&m.content));
            let stored = match (chat, text.clone()) {
                (None, _) => None,
                (Some(_), Some(Ok(prompt))) => Some(prompt),
                (Some(_), _) => {
                    return Err(ValidationError::new(
                        "messages",
                        "a stored exchange needs a last user message of 1-32000 characters",
                    )
                    .into());
                }
            };
            (stored, text.and_then(Result::ok))
        }
        Conversation::Text { prompt, .. } => {
            let parsed = Prompt::parse(prompt);
            let stored = match (chat, parsed.clone()) {
                (None, _) => None,
                (Some(_), parsed) => Some(parsed?),
            };
            (stored, parsed.ok())
        }
    };
    let memory = memory.filter(|_| request.memory == MemoryUse::On);
    Ok(Parsed {
        stored,
        memory,
        model,
    })
}

impl ChatService {
    /// The rate limit, the user's credentials and the chat, read together; the first
    /// failure in that order is the answer. Then the model's provider.
    pub(super) async fn admit(
        &self,
        owner: UserId,
        target: Option<&ChatTarget>,
        parsed: &Parsed,
        session: Option<&str>,
        timeline: &Timeline,
    ) -> Result<Admitted, ChatError> {
        let found = async {
            match target {
                Some(ChatTarget::Existing(id)) => {
                    let find = self.ports.chats.find_chat(owner, *id);
                    timeline.time("chat", find).await.map(Some)
                }
                _ => Ok(None),
            }
        };
        let (rate, access, found) = join3(
            timeline.time("rate", self.check_rate(owner)),
            timeline.time("account", self.auth.model_access(owner)),
            found,
        )
        .await;
        rate?;
        let access = access?;
        let model = parsed
            .model
            .clone()
            .or(access.default_model)
            .unwrap_or_else(|| self.policy.default_model.clone());
        let new_chat = matches!(target, Some(ChatTarget::New(_)));
        let chat = match (target, found?) {
            (Some(ChatTarget::Existing(_)), Some(None)) => return Err(ChatError::NotFound),
            (Some(ChatTarget::Existing(_)), Some(Some(chat))) => Some(chat),
            (Some(ChatTarget::New(labels)), _) => {
                let title_from = parsed.stored.as_ref().ok_or_else(|| {
                    ValidationError::new("prompt", "a new chat needs a user message")
                })?;
                let labels = labels.parse(&self.policy.sectors)?;
                let title = ChatTitle::from_prompt(title_from);
                Some(self.new_chat(owner, title, model.clone(), labels))
            }
            _ => None,
        };
        let caller = ModelCaller {
            user_id: owner,
            username: access.username,
            role: access.role,
            session_id: chat.as_ref().map_or_else(
                || session.map_or_else(|| ChatId::generate().to_string(), str::to_owned),
                |chat| chat.id.to_string(),
            ),
            has_gateway_key: access.api_key.is_some(),
        };
        let provider = self
            .ports
            .models
            .route(&model, &caller)
            .await?
            .ok_or(ChatError::ModelNotFound)?;
        Ok(Admitted {
            chat,
            new_chat,
            model,
            provider,
            api_key: access.api_key.unwrap_or_else(|| SecretString::from("")),
            memory_enabled: access.memory_enabled,
        })
    }

    /// A chat not stored yet, with no messages.
    pub(super) fn new_chat(
        &self,
        owner: UserId,
        title: ChatTitle,
        model: ModelName,
        labels: ChatLabels,
    ) -> Chat {
        let now = self.ports.clock.now();
        Chat {
            id: ChatId::generate(),
            owner,
            title,
            model,
            labels,
            usage_total: Usage::default(),
            message_count: 0,
            created_at: now,
            updated_at: now,
        }
    }

    async fn check_rate(&self, owner: UserId) -> Result<(), ChatError> {
        let key = format!("chat:{owner}");
        match self.ports.limiter.acquire(&key, self.policy.rate, 1).await {
            Ok(RateDecision::Allowed) => Ok(()),
            Ok(RateDecision::Limited { retry_after }) => {
                self.ports.telemetry.rate_limited(Budget::Chat);
                Err(ChatError::RateLimited {
                    retry_after: crate::services::at_least_a_millisecond(retry_after),
                })
            }
            Err(error) => {
                tracing::warn!(error = %error, "chat rate limiter unavailable; request not counted");
                Ok(())
            }
        }
    }
}
