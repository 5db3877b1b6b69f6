//! One prompt, answered as a stream. Generation runs as its own task: a client that
//! disconnects stops receiving, not generating, and the whole answer is still stored
//! (complete, incomplete when the upstream cut it, or error).

use std::sync::Arc;

use futures_channel::mpsc::{UnboundedSender, unbounded};
use futures_util::future::{BoxFuture, Either, join, ready, select};
use futures_util::stream::{BoxStream, StreamExt};

use super::turn::{Prepared, advanced};
use super::{ChatError, ChatPorts, ChatService, ChatTurn, MemoryReport};
use crate::ports::{LlmError, LlmStream, MessageUpdate, StreamEvent};
use crate::services::memory::MemoryService;
use crate::{ChatId, Message, MessageId, MessageStatus, Usage};

/// What a streamed answer emits after it started.
#[derive(Debug)]
pub enum TurnEvent {
    Delta(String),
    Done(Box<ChatTurn>),
    Failed(ChatError),
}

/// A started streamed answer: ids first (for the client's `meta` event), then events.
pub struct TurnStream {
    pub chat_id: ChatId,
    pub message_id: MessageId,
    pub events: BoxStream<'static, TurnEvent>,
}

impl ChatService {
    /// Starts a streamed answer. Errors before generation starts (validation, missing
    /// key, unknown chat, a store down) come back here; later ones come as events.
    ///
    /// The model call starts as soon as the user's message is stored; in an existing
    /// chat the assistant's message is appended while the call connects, and the
    /// stream is handed over only once that message is stored too.
    pub async fn stream(&self, request: super::TurnRequest) -> Result<TurnStream, ChatError> {
        let Prepared {
            chat,
            user_message,
            request,
            recall,
            answer: placeholder,
            answer_stored,
            timeline,
        } = self.prepare(request, true).await?;
        let llm = self.ports.llm.clone();
        let started = timeline.clone();
        let mut upstream: UpstreamStart =
            Box::pin(async move { started.time("upstream", llm.stream(request)).await });
        if !answer_stored {
            let store = async {
                let append = self.ports.chats.append_message(chat.owner, &placeholder);
                let stored = timeline.time("placeholder", append).await?;
                if stored {
                    timeline.time("invalidate", self.invalidate(chat.id)).await;
                }
                Ok::<_, ChatError>(stored)
            };
            upstream = match select(Box::pin(store), upstream).await {
                Either::Left((stored, upstream)) => {
                    if !stored? {
                        return Err(ChatError::NotFound);
                    }
                    upstream
                }
                Either::Right((started, store)) => {
                    if !store.await? {
                        return Err(ChatError::NotFound);
                    }
                    Box::pin(ready(started))
                }
            };
        }
        let (sender, receiver) = unbounded();
        let stream = TurnStream {
            chat_id: chat.id,
            message_id: placeholder.id,
            events: receiver.boxed(),
        };
        let answering = Answering {
            chat,
            user_message,
            recall,
        };
        let generation = generate(
            self.ports.clone(),
            self.memory.clone(),
            answering,
            placeholder,
            upstream,
            sender,
        );
        self.ports.spawner.spawn(Box::pin(generation));
        Ok(stream)
    }
}

/// The model call of a streamed answer, started before its stream is handed over.
type UpstreamStart = BoxFuture<'static, Result<LlmStream, LlmError>>;

/// What generation needs of the prepared turn.
struct Answering {
    chat: crate::Chat,
    user_message: Message,
    recall: crate::services::memory::Recall,
}

/// What the upstream produced before it finished or failed.
#[derive(Default)]
struct Generated {
    content: String,
    usage: Option<Usage>,
    model: Option<crate::ModelName>,
    failure: Option<LlmError>,
}

async fn generate(
    ports: ChatPorts,
    memory: Arc<MemoryService>,
    answering: Answering,
    placeholder: Message,
    upstream: UpstreamStart,
    events: UnboundedSender<TurnEvent>,
) {
    let Answering {
        chat,
        user_message,
        recall,
    } = answering;
    let owner = chat.owner;
    let relay = async {
        let mut generated = Generated::default();
        let mut upstream = match upstream.await {
            Ok(upstream) => upstream,
            Err(error) => {
                generated.failure = Some(error);
                return generated;
            }
        };
        while let Some(event) = upstream.next().await {
            match event {
                Ok(StreamEvent::Delta(text)) => {
                    generated.content.push_str(&text);
                    // A client that left no longer listens; generation goes on regardless.
                    let _ = events.unbounded_send(TurnEvent::Delta(text));
                }
                Ok(StreamEvent::Finished { model, usage }) => {
                    generated.model = model;
                    generated.usage = usage;
                    break;
                }
                Err(error) => {
                    generated.failure = Some(error);
                    break;
                }
            }
        }
        generated
    };
    let (generated, saved) = join(
        relay,
        memory.remember(owner, Some(chat.id), recall.detected.clone()),
    )
    .await;

    let status = match (&generated.failure, generated.content.is_empty()) {
        (None, _) => MessageStatus::Complete,
        (Some(_), false) => MessageStatus::Incomplete,
        (Some(_), true) => MessageStatus::Error,
    };
    let update = MessageUpdate {
        content: generated.content,
        status,
        model: generated.model.or_else(|| placeholder.model.clone()),
        usage: generated.usage,
    };
    let now = ports.clock.now();
    let stored = ports
        .chats
        .finish_message(owner, chat.id, placeholder.id, &update, now)
        .await;
    if let Err(error) = ports.cache.invalidate(chat.id).await {
        tracing::warn!(error = %error, "chat cache invalidation failed");
    }
    let message = Message {
        content: update.content,
        status: update.status,
        model: update.model,
        usage: update.usage,
        ..placeholder
    };
    let indexed = vec![user_message, message.clone()];
    let outcome = match (generated.failure, stored) {
        (Some(error), _) => TurnEvent::Failed(ChatError::Upstream(error)),
        (None, Err(error)) => TurnEvent::Failed(error.into()),
        (None, Ok(_)) => TurnEvent::Done(Box::new(ChatTurn {
            chat: advanced(chat, message.usage.unwrap_or_default(), now),
            message,
            memories: MemoryReport {
                used: recall.used,
                saved,
            },
        })),
    };
    let _ = events.unbounded_send(outcome);
    events.close_channel();
    memory.index_messages(owner, indexed).await;
}
