//! Resuming a streamed answer: a client whose stream broke asks again with the id of
//! the last event it got and receives what it missed, then the rest as it comes, then
//! the last event, wherever the answer is being (or was) written.
//!
//! The events come from the shared log while it has them. When it has nothing new
//! (expired, never written, or unreachable), the stored answer decides: once it is
//! final, the client gets its content after the offset of its last event, then `done`
//! (or the failure); until then the stream waits. The log is polled rather than
//! followed with a blocking read, so no pooled store connection is ever held by a
//! waiting client.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use futures_util::stream::{self, BoxStream};

use super::events::AnswerEvent;
use super::{ChatError, ChatService, ChatTurn, MemoryReport};
use crate::ports::EventId;
use crate::{ChatId, Message, MessageError, MessageId, MessageStatus, Role, UserId};

/// One event of a resumed stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumed {
    pub id: EventId,
    pub event: AnswerEvent,
}

/// Whether a stored answer will change no more.
fn is_final(message: &Message) -> bool {
    message.status != MessageStatus::Incomplete || message.error.is_some()
}

impl ChatService {
    /// The events of the owner's answer `message` in `chat` after `after` (from the
    /// start without it), ending with its last event.
    ///
    /// # Errors
    /// [`ChatError::NotFound`] when the message is not an answer in the owner's chat;
    /// a store error when the chat store cannot be read.
    pub async fn resume(
        &self,
        owner: UserId,
        chat: ChatId,
        message: MessageId,
        after: Option<EventId>,
    ) -> Result<BoxStream<'static, Resumed>, ChatError> {
        let found = self.ports.chats.find_message(owner, chat, message).await?;
        if !found.is_some_and(|found| found.role == Role::Assistant) {
            return Err(ChatError::NotFound);
        }
        let now = self.ports.clock.now();
        let follow = Follow {
            service: self.clone(),
            owner,
            chat,
            message,
            last: after.unwrap_or(EventId::START),
            pending: VecDeque::new(),
            ended: false,
            store_checked: None,
            started: now,
        };
        Ok(stream::unfold(follow, async |mut follow| {
            let next = follow.next().await?;
            Some((next, follow))
        })
        .boxed())
    }
}

/// The state of one resumed stream.
struct Follow {
    service: ChatService,
    owner: UserId,
    chat: ChatId,
    message: MessageId,
    /// The last event the client has.
    last: EventId,
    pending: VecDeque<Resumed>,
    ended: bool,
    store_checked: Option<DateTime<Utc>>,
    started: DateTime<Utc>,
}

impl Follow {
    async fn next(&mut self) -> Option<Resumed> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                self.last = next.id;
                self.ended = next.event.is_last();
                return Some(next);
            }
            if self.ended {
                return None;
            }
            self.fill().await;
        }
    }

    /// Queues what comes after the last event, or waits a little.
    async fn fill(&mut self) {
        let ports = &self.service.ports;
        let policy = &self.service.policy;
        let (log_poll, store_poll) = policy.resume_poll;
        match ports.answers.read_after(self.message, self.last).await {
            Ok(events) if !events.is_empty() => {
                let decoded: Option<Vec<Resumed>> = events
                    .into_iter()
                    .map(|logged| {
                        let event = AnswerEvent::decode(&logged.payload)?;
                        Some(Resumed {
                            id: logged.id,
                            event,
                        })
                    })
                    .collect();
                if let Some(decoded) = decoded {
                    self.pending.extend(decoded);
                    return;
                }
                tracing::warn!(message_id = %self.message, "unreadable answer log; waiting for the stored answer");
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = %error, message_id = %self.message, "answer log unavailable; waiting for the stored answer");
            }
        }
        let now = ports.clock.now();
        let due = self
            .store_checked
            .is_none_or(|at| now - at >= chrono_duration(store_poll));
        if due {
            self.store_checked = Some(now);
            match ports
                .chats
                .find_message(self.owner, self.chat, self.message)
                .await
            {
                Ok(Some(stored)) if is_final(&stored) => {
                    let events = self.rest_of_stored(stored).await;
                    self.pending.extend(events);
                    return;
                }
                Ok(None) => {
                    self.fail(
                        "not_found",
                        "The chat was deleted while this answer was being written.",
                    );
                    return;
                }
                Ok(Some(_)) => {}
                Err(error) => {
                    tracing::warn!(error = %error, "chat store unavailable while a stream is resumed");
                }
            }
        }
        if now - self.started >= chrono_duration(policy.resume_wait) {
            self.fail(
                "answer_unavailable",
                "The answer was not finished in time; read it later from the chat.",
            );
            return;
        }
        ports.tasks.sleep(log_poll).await;
    }

    /// The rest of a final stored answer: its content after the client's offset, then
    /// how it ended.
    async fn rest_of_stored(&self, stored: Message) -> Vec<Resumed> {
        let offset = usize::try_from(self.last.offset).unwrap_or(usize::MAX);
        let rest = stored.content.get(offset..).unwrap_or_default().to_owned();
        let mut events = Vec::new();
        if !rest.is_empty() {
            events.push(AnswerEvent::Delta { content: rest });
        }
        events.push(match (stored.status, stored.error.clone()) {
            (MessageStatus::Complete, _) | (_, None) => {
                let chat = self
                    .service
                    .ports
                    .chats
                    .find_chat(self.owner, self.chat)
                    .await;
                AnswerEvent::Done {
                    turn: Box::new(ChatTurn {
                        chat: chat.ok().flatten(),
                        message: stored,
                        memories: MemoryReport::default(),
                        finish_reason: None,
                        tool_calls: None,
                        // Told by the live stream's headers; the message names the model.
                        fallback: None,
                    }),
                }
            }
            (_, Some(error)) => AnswerEvent::Failed { error },
        });
        let mut id = self.last;
        events
            .into_iter()
            .map(|event| {
                id = id.next(event.content_len());
                Resumed { id, event }
            })
            .collect()
    }

    fn fail(&mut self, code: &str, message: &str) {
        let error = MessageError {
            code: code.to_owned(),
            message: message.to_owned(),
        };
        self.pending.push_back(Resumed {
            id: self.last.next(0),
            event: AnswerEvent::Failed { error },
        });
    }
}

fn chrono_duration(duration: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}
