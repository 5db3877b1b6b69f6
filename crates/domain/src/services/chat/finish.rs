//! Finish, the last step, the same for both deliveries: the answer is stored
//! (complete, incomplete or error, with why), the chat's cached pages dropped, the
//! turn's messages indexed after the response, and the outcome told.
//!
//! A billed answer is not thrown away when its store fails: the store is tried again,
//! and if it still fails the turn is kept for the idempotency key, so a retry gets the
//! answer without a second model call.

use chrono::{DateTime, Utc};

use super::answer::Prepared;
use super::generate::{Failure, Generated};
use super::open::AnswerSlot;
use super::{ChatError, ChatService, ChatTurn, MemoryReport};
use crate::custom_model::ModelSlug;
use crate::ports::{LlmError, MessageUpdate, ProviderKind, StoreError};
use crate::usage::{UsageRecord, UsageRoute};
use crate::{Chat, Message, MessageError, MessageStatus, ModelName, Usage, UserPreference};

/// The model that answered in place of `asked` when a custom model's fallback took
/// over (a gateway model may name a dated variant of itself, which is no fallback).
fn fallback(asked: &ModelName, generated: &Generated) -> Option<ModelName> {
    generated
        .model
        .clone()
        .filter(|answered| answered != asked && ModelSlug::from_model(asked).is_some())
}

/// The ledger's record of the turn's model call: attributed to the model that
/// answered when a custom model's fallback took over, else to the model asked for.
fn usage_record(
    owner: crate::UserId,
    asked: ModelName,
    route: UsageRoute,
    generated: &Generated,
    started_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> UsageRecord {
    let answered = fallback(&asked, generated);
    let latency = (now - started_at).num_milliseconds().max(0);
    UsageRecord {
        user_id: owner,
        model: answered.clone().unwrap_or_else(|| asked.clone()),
        fallback_from: answered.map(|_| asked),
        route,
        usage: generated.usage.unwrap_or_default(),
        succeeded: generated.failure.is_none(),
        latency_ms: u32::try_from(latency).unwrap_or(u32::MAX),
        at: now,
    }
}

/// The class of a model call's end, as metrics label it.
fn outcome(failure: Option<&Failure>) -> &'static str {
    match failure {
        None => "ok",
        Some(Failure::Interrupted) => "interrupted",
        Some(Failure::Upstream(error)) => match error {
            LlmError::Timeout => "timeout",
            LlmError::RateLimited { .. } => "rate_limited",
            LlmError::Unauthorized | LlmError::KeyMissing => "unauthorized",
            LlmError::InsufficientCredits => "insufficient_credits",
            _ => "error",
        },
    }
}

/// How a turn ended.
pub(super) struct Finished {
    /// What the client is told.
    pub result: Result<ChatTurn, ChatError>,
    /// The turn a retry with the same idempotency key gets: set whenever the model
    /// answered, even if storing the answer failed.
    pub kept: Option<ChatTurn>,
}

impl ChatService {
    pub(super) async fn finish(
        &self,
        prepared: Prepared,
        generated: Generated,
        saved: Vec<UserPreference>,
    ) -> Finished {
        let Prepared {
            owner,
            chat,
            user_message,
            answer,
            slot,
            recall,
            timeline,
            model,
            route,
            started_at,
            ..
        } = prepared;
        let now = self.ports.clock.now();
        let fallback = fallback(&model, &generated);
        let provider = ProviderKind::of(fallback.as_ref().unwrap_or(&model));
        let telemetry = &self.ports.telemetry;
        telemetry.model_call(
            provider,
            outcome(generated.failure.as_ref()),
            (now - started_at).to_std().unwrap_or_default(),
        );
        if let Some(usage) = &generated.usage {
            telemetry.tokens(provider, usage);
        }
        self.usage.record(usage_record(
            owner, model, route, &generated, started_at, now,
        ));
        let status = match (&generated.failure, generated.content.is_empty()) {
            (None, _) => MessageStatus::Complete,
            (Some(_), false) => MessageStatus::Incomplete,
            (Some(_), true) => MessageStatus::Error,
        };
        let message = Message {
            content: generated.content,
            model: generated.model.or(answer.model),
            usage: generated.usage,
            status,
            error: generated.failure.as_ref().map(explain),
            review: crate::Review::default(),
            created_at: if slot == AnswerSlot::Pending {
                now
            } else {
                answer.created_at
            },
            ..answer
        };
        let stored = match &chat {
            Some(chat) => {
                let store = self.store_answer(chat, &message, slot, now);
                let stored = timeline.time("answer", store).await;
                // Even a chat started by this request may have been read meanwhile (it
                // is listed by `GET /chats` as soon as it is stored).
                timeline.time("invalidate", self.invalidate(chat.id)).await;
                if let Ok(true) = stored {
                    let messages = user_message.into_iter().chain([message.clone()]).collect();
                    self.memory.index_later(owner, chat.id, messages);
                }
                stored
            }
            None => Ok(true),
        };
        let turn = ChatTurn {
            chat: chat.map(|chat| advanced(chat, message.usage.unwrap_or_default(), now)),
            message,
            memories: MemoryReport {
                used: recall.used,
                saved,
            },
            finish_reason: generated.finish_reason,
            tool_calls: generated.tool_calls,
            fallback,
        };
        match (generated.failure, stored) {
            (Some(Failure::Upstream(error)), _) => Finished {
                result: Err(ChatError::Upstream(error)),
                kept: None,
            },
            (Some(Failure::Interrupted), _) => Finished {
                result: Err(ChatError::Interrupted),
                kept: None,
            },
            // The chat was deleted while the turn ran: the delete wins.
            (None, Ok(false)) => Finished {
                result: Err(ChatError::NotFound),
                kept: None,
            },
            (None, Err(error)) => {
                tracing::error!(error = %error, "answer not stored; kept for a retry with the same idempotency key");
                Finished {
                    result: Err(error.into()),
                    kept: Some(turn),
                }
            }
            (None, Ok(true)) => Finished {
                result: Ok(turn.clone()),
                kept: Some(turn),
            },
        }
    }

    /// Stores the answer, trying again after each of the policy's pauses while the
    /// store fails. `Ok(false)`: the chat is gone.
    async fn store_answer(
        &self,
        chat: &Chat,
        message: &Message,
        slot: AnswerSlot,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut pauses = self.policy.store_retries.iter();
        loop {
            let stored = match slot {
                AnswerSlot::Pending => self.ports.chats.append_message(chat.owner, message).await,
                AnswerSlot::Reserved => {
                    let update = MessageUpdate {
                        content: message.content.clone(),
                        status: message.status,
                        model: message.model.clone(),
                        usage: message.usage,
                        error: message.error.clone(),
                    };
                    self.ports
                        .chats
                        .finish_message(chat.owner, chat.id, message.id, &update, at)
                        .await
                }
            };
            match (stored, pauses.next()) {
                (Err(error), Some(pause)) => {
                    tracing::warn!(error = %error, "storing the answer failed; trying again");
                    self.ports.tasks.sleep(*pause).await;
                }
                (stored, _) => return stored,
            }
        }
    }
}

/// What a message says about why it stopped, in the contract's codes.
fn explain(failure: &Failure) -> MessageError {
    match failure {
        Failure::Interrupted => interrupted(),
        Failure::Upstream(error) => upstream(error),
    }
}

/// What a failed turn tells a client that resumes its stream, in the codes the live
/// stream's `error` event has.
pub(super) fn describe(error: &ChatError) -> MessageError {
    match error {
        ChatError::Upstream(error) => upstream(error),
        ChatError::Interrupted => interrupted(),
        ChatError::NotFound => said(
            "not_found",
            "The chat was deleted while this answer was being written.",
        ),
        _ => said(
            "service_unavailable",
            "The answer could not be stored; try again.",
        ),
    }
}

fn interrupted() -> MessageError {
    said(
        "server_shutdown",
        "The server shut down while this answer was being written; what was written before is kept.",
    )
}

fn upstream(error: &LlmError) -> MessageError {
    match error {
        LlmError::Unauthorized => said(
            "upstream_unauthorized",
            "The model provider rejected the API key.",
        ),
        LlmError::InsufficientCredits => said(
            "upstream_insufficient_credits",
            "The API key has no credits left.",
        ),
        LlmError::RateLimited { .. } => said(
            "upstream_rate_limited",
            "The model provider is rate limiting.",
        ),
        LlmError::Timeout => said("upstream_timeout", "The model did not answer in time."),
        _ => said("upstream_error", "The model call failed."),
    }
}

fn said(code: &str, message: &str) -> MessageError {
    MessageError {
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// The chat header after one more message with `usage` was stored at `at`.
pub(super) fn advanced(mut chat: Chat, usage: Usage, at: DateTime<Utc>) -> Chat {
    chat.usage_total += usage;
    chat.message_count += 1;
    chat.updated_at = at;
    chat
}
