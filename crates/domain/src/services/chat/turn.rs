//! One prompt, answered in one piece: preparation shared with streaming, then the
//! model call with the memories saved alongside it.

use futures_util::FutureExt as _;
use futures_util::future::{join, join3, try_join3};

use super::{ChatError, ChatService, ChatTurn, MemoryReport, context};
use crate::ports::{CompletionRequest, RateDecision};
use crate::services::memory::Recall;
use crate::timeline::Timeline;
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
    /// Where the turn's steps record their time.
    pub timeline: Timeline,
}

/// Everything ready for the model call; the user's message is already stored.
pub(super) struct Prepared {
    pub chat: Chat,
    pub user_message: Message,
    pub request: CompletionRequest,
    pub recall: Recall,
    /// The assistant's message as it starts: no content yet, `Incomplete`, the model
    /// asked for. A whole answer is stored complete from it; a streamed one is stored
    /// as it is first and finished later.
    pub answer: Message,
    /// The answer is stored already (a new chat's stream stores it with the prompt).
    pub answer_stored: bool,
    pub timeline: Timeline,
}

/// The messages of a turn once the prompt is stored.
struct Opened {
    user_message: Message,
    answer: Message,
    answer_stored: bool,
}

/// What the checks before storing anything found.
struct Admitted {
    chat: Chat,
    new_chat: bool,
    model: ModelName,
    api_key: secrecy::SecretString,
}

impl ChatService {
    /// Answers a prompt in one piece.
    pub async fn send(&self, request: TurnRequest) -> Result<ChatTurn, ChatError> {
        let Prepared {
            chat,
            user_message,
            request,
            recall,
            answer,
            timeline,
            ..
        } = self.prepare(request, false).await?;
        let owner = chat.owner;
        let (outcome, saved) = join(
            timeline.time("upstream", self.ports.llm.complete(request)),
            self.memory
                .remember(owner, Some(chat.id), recall.detected.clone()),
        )
        .await;
        let now = self.ports.clock.now();
        let (message, failure) = match outcome {
            Ok(completion) => (
                Message {
                    content: completion.content,
                    model: completion.model.or(answer.model),
                    usage: Some(completion.usage),
                    status: MessageStatus::Complete,
                    created_at: now,
                    ..answer
                },
                None,
            ),
            Err(error) => (
                Message {
                    status: MessageStatus::Error,
                    created_at: now,
                    ..answer
                },
                Some(error),
            ),
        };
        let append = self.ports.chats.append_message(owner, &message);
        let stored = timeline.time("answer", append).await;
        // Even a chat started by this request may have been read meanwhile (it is
        // listed by `GET /chats` as soon as it is stored), so its pages are dropped.
        timeline.time("invalidate", self.invalidate(chat.id)).await;
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
    /// message, and assembles the model's context with the user's memories. With
    /// `streamed`, a new chat is stored with the answer's message too.
    ///
    /// The memory recall and the read of the chat's recent history run beside
    /// everything else; the checks (rate, credentials, the chat) run together, and the
    /// prompt is stored as soon as they pass.
    pub(super) async fn prepare(
        &self,
        request: TurnRequest,
        streamed: bool,
    ) -> Result<Prepared, ChatError> {
        let prompt = Prompt::parse(&request.prompt)?;
        let requested_model = request
            .model
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(ModelName::parse)
            .transpose()?;
        let owner = request.owner;
        let timeline = request.timeline;
        let stored = async {
            let admitted = self
                .admit(owner, request.chat_id, requested_model, &prompt, &timeline)
                .await?;
            self.store_prompt(admitted, &prompt, streamed, &timeline)
                .await
        };
        let history = async {
            match request.chat_id {
                Some(id) => {
                    let window = self.policy.history_window;
                    let read = self.ports.chats.messages(owner, id, window, None);
                    timeline.time("history", read).await
                }
                None => Ok(Vec::new()),
            }
        };
        let recall = self.memory.recall(owner, &prompt, &timeline).map(Ok);
        let ((admitted, opened), history, recall) =
            try_join3(stored, history.map(Ok), recall).await?;
        let Admitted {
            chat,
            model,
            api_key,
            ..
        } = admitted;
        let Opened {
            user_message,
            answer,
            answer_stored,
        } = opened;
        // Read beside the append, the history may already hold the prompt.
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
        Ok(Prepared {
            // The reserved answer, stored or not, is counted when it is finished.
            chat: advanced(chat, Usage::default(), user_message.created_at),
            user_message,
            request: CompletionRequest {
                model,
                messages,
                api_key,
                max_tokens: self.policy.max_tokens,
            },
            recall,
            answer,
            answer_stored,
            timeline,
        })
    }

    /// The rate limit, the user's credentials and the chat, read together; the first
    /// failure in that order is the answer.
    async fn admit(
        &self,
        owner: UserId,
        chat_id: Option<ChatId>,
        requested_model: Option<ModelName>,
        prompt: &Prompt,
        timeline: &Timeline,
    ) -> Result<Admitted, ChatError> {
        let found = async {
            match chat_id {
                Some(id) => {
                    timeline
                        .time("chat", self.ports.chats.find_chat(owner, id))
                        .await
                }
                None => Ok(None),
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
        let model = requested_model
            .or(access.default_model)
            .unwrap_or_else(|| self.policy.default_model.clone());
        let chat = if chat_id.is_some() {
            found?.ok_or(ChatError::NotFound)?
        } else {
            let now = self.ports.clock.now();
            Chat {
                id: ChatId::generate(),
                owner,
                title: ChatTitle::from_prompt(prompt),
                model: model.clone(),
                usage_total: Usage::default(),
                message_count: 0,
                created_at: now,
                updated_at: now,
            }
        };
        Ok(Admitted {
            chat,
            new_chat: chat_id.is_none(),
            model,
            api_key: access.api_key,
        })
    }

    /// Stores the user's message: a new chat is stored with it (and, for a stream, with
    /// the answer's message) at once; an existing chat gets it appended and its cached
    /// pages dropped.
    async fn store_prompt(
        &self,
        admitted: Admitted,
        prompt: &Prompt,
        streamed: bool,
        timeline: &Timeline,
    ) -> Result<(Admitted, Opened), ChatError> {
        let chat = &admitted.chat;
        let now = self.ports.clock.now();
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
        let answer = Message {
            id: crate::MessageId::generate(),
            chat_id: chat.id,
            role: Role::Assistant,
            content: String::new(),
            model: Some(admitted.model.clone()),
            usage: None,
            status: MessageStatus::Incomplete,
            created_at: now,
        };
        let answer_stored = admitted.new_chat && streamed;
        if admitted.new_chat {
            let mut first = vec![user_message.clone()];
            if answer_stored {
                first.push(answer.clone());
            }
            let start = self.ports.chats.start_chat(chat, &first);
            timeline.time("prompt", start).await?;
        } else {
            let append = self.ports.chats.append_message(chat.owner, &user_message);
            if !timeline.time("prompt", append).await? {
                return Err(ChatError::NotFound);
            }
            timeline.time("invalidate", self.invalidate(chat.id)).await;
        }
        let opened = Opened {
            user_message,
            answer,
            answer_stored,
        };
        Ok((admitted, opened))
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
