//! One prompt, answered in one piece: preparation shared with streaming, then the
//! model call with the memories saved alongside it.

use futures_util::future::{join, join3};

use super::{ChatError, ChatService, ChatTurn, MemoryReport, context};
use crate::ports::{CompletionRequest, RateDecision};
use crate::services::memory::Recall;
use crate::{
    Chat, ChatId, ChatTitle, Message, MessageStatus, ModelName, Prompt, Role, Usage, UserId,
};

/// A prompt as the client sent it; the owner comes from the access token.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    pub owner: UserId,
    /// `None` starts a new chat.
    pub chat_id: Option<ChatId>,
    pub prompt: String,
    pub model: Option<String>,
}

/// Everything ready for the model call; the user's message is already stored.
pub(super) struct Prepared {
    pub chat: Chat,
    pub user_message: Message,
    pub request: CompletionRequest,
    pub recall: Recall,
}

impl ChatService {
    /// Answers a prompt in one piece.
    pub async fn send(&self, request: TurnRequest) -> Result<ChatTurn, ChatError> {
        let Prepared {
            chat,
            user_message,
            request,
            recall,
        } = self.prepare(request).await?;
        let owner = chat.owner;
        let model = request.model.clone();
        let (outcome, saved) = join(
            self.ports.llm.complete(request),
            self.memory
                .remember(owner, Some(chat.id), recall.detected.clone()),
        )
        .await;
        let now = self.ports.clock.now();
        let (message, failure) = match outcome {
            Ok(completion) => (
                Message {
                    id: crate::MessageId::generate(),
                    chat_id: chat.id,
                    role: Role::Assistant,
                    content: completion.content,
                    model: Some(completion.model.unwrap_or(model)),
                    usage: Some(completion.usage),
                    status: MessageStatus::Complete,
                    created_at: now,
                },
                None,
            ),
            Err(error) => (
                Message {
                    id: crate::MessageId::generate(),
                    chat_id: chat.id,
                    role: Role::Assistant,
                    content: String::new(),
                    model: Some(model),
                    usage: None,
                    status: MessageStatus::Error,
                    created_at: now,
                },
                Some(error),
            ),
        };
        let stored = self.ports.chats.append_message(owner, &message).await;
        self.invalidate(chat.id).await;
        self.index_later(owner, vec![user_message, message.clone()]);
        if let Some(error) = failure {
            return Err(ChatError::Upstream(error));
        }
        if !stored? {
            return Err(ChatError::NotFound);
        }
        Ok(ChatTurn {
            chat: advanced(chat, message.usage.unwrap_or_default(), now),
            message,
            memories: MemoryReport {
                used: recall.used,
                saved,
            },
        })
    }

    /// Checks limits and credentials, loads or creates the chat, stores the user's
    /// message, and assembles the model's context with the user's memories.
    pub(super) async fn prepare(&self, request: TurnRequest) -> Result<Prepared, ChatError> {
        let prompt = Prompt::parse(&request.prompt)?;
        let requested_model = request
            .model
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(ModelName::parse)
            .transpose()?;
        let owner = request.owner;
        self.check_rate(owner).await?;
        let access = self.auth.model_access(owner).await?;
        let model = requested_model
            .or(access.default_model)
            .unwrap_or_else(|| self.policy.default_model.clone());
        let now = self.ports.clock.now();
        let chat = if let Some(id) = request.chat_id {
            self.ports
                .chats
                .find_chat(owner, id)
                .await?
                .ok_or(ChatError::NotFound)?
        } else {
            let chat = Chat {
                id: ChatId::generate(),
                owner,
                title: ChatTitle::from_prompt(&prompt),
                model: model.clone(),
                usage_total: Usage::default(),
                message_count: 0,
                created_at: now,
                updated_at: now,
            };
            self.ports.chats.create_chat(&chat).await?;
            chat
        };
        let user_message = Message {
            id: crate::MessageId::generate(),
            chat_id: chat.id,
            role: Role::User,
            content: prompt.as_str().to_owned(),
            model: None,
            usage: None,
            status: MessageStatus::Complete,
            created_at: now,
        };
        let new_chat = request.chat_id.is_none();
        let history = async {
            if new_chat {
                Ok(Vec::new())
            } else {
                self.ports
                    .chats
                    .messages(owner, chat.id, self.policy.history_window, None)
                    .await
            }
        };
        let (stored, history, recall) = join3(
            self.ports.chats.append_message(owner, &user_message),
            history,
            self.memory.recall(owner, &prompt),
        )
        .await;
        if !stored? {
            return Err(ChatError::NotFound);
        }
        self.invalidate(chat.id).await;
        let history: Vec<Message> = history?
            .into_iter()
            .filter(|m| m.id != user_message.id)
            .collect();
        let messages = context::build(
            &recall.used,
            &history,
            prompt.as_str(),
            self.policy.context_token_budget,
        );
        let chat = advanced(chat, Usage::default(), now);
        Ok(Prepared {
            chat,
            user_message,
            request: CompletionRequest {
                model,
                messages,
                api_key: access.api_key,
                max_tokens: self.policy.max_tokens,
            },
            recall,
        })
    }

    async fn check_rate(&self, owner: UserId) -> Result<(), ChatError> {
        let key = format!("chat:{owner}");
        match self.ports.limiter.acquire(&key, self.policy.rate, 1).await {
            Ok(RateDecision::Allowed) => Ok(()),
            Ok(RateDecision::Limited { retry_after }) => Err(ChatError::RateLimited {
                retry_after: crate::services::at_least_a_millisecond(retry_after),
            }),
            Err(error) => {
                tracing::warn!(error = %error, "chat rate limiter unavailable; request not counted");
                Ok(())
            }
        }
    }

    /// Indexes messages for search once the response is on its way.
    pub(super) fn index_later(&self, owner: UserId, messages: Vec<Message>) {
        let memory = self.memory.clone();
        self.ports.spawner.spawn(Box::pin(async move {
            memory.index_messages(owner, messages).await;
        }));
    }
}

/// The chat header after one more message with `usage` was stored at `at`.
pub(super) fn advanced(mut chat: Chat, usage: Usage, at: chrono::DateTime<chrono::Utc>) -> Chat {
    chat.usage_total += usage;
    chat.message_count += 1;
    chat.updated_at = at;
    chat
}
