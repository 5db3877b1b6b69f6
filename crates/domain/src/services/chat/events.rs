//! A streamed answer's events as they are numbered, logged and resumed.
//!
//! Every event a client sees but tool calls and reroutes (which only `/v1` and the
//! response headers show, and `/v1` has no resume) gets an [`EventId`] that follows from the events before it, so the live
//! stream, the shared log and a resumed stream on any replica number it alike.
//!
//! The live stream never waits for the log: [`Outlet::send`] hands the event to the
//! client and queues a copy for a writer task that appends what has queued up in one
//! batch. A log that fails stops being written (a log with a gap would resume wrongly);
//! a reconnect then waits for the stored answer instead.

use std::sync::Arc;
use std::time::Duration;

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};

use super::finish::describe;
use super::{ChatTurn, TurnEvent};
use crate::ports::{AnswerLog, EventId, LoggedEvent, Tasks};
use crate::{MessageError, MessageId};

/// An event of a streamed answer as a resuming client gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerEvent {
    Delta { content: String },
    Done { turn: Box<ChatTurn> },
    Failed { error: MessageError },
}

impl AnswerEvent {
    /// Whether the answer ends with this event.
    pub fn is_last(&self) -> bool {
        !matches!(self, Self::Delta { .. })
    }

    /// The bytes of content it adds to the answer.
    pub(super) fn content_len(&self) -> usize {
        match self {
            Self::Delta { content } => content.len(),
            Self::Done { .. } | Self::Failed { .. } => 0,
        }
    }

    fn of(event: &TurnEvent) -> Option<Self> {
        match event {
            TurnEvent::Delta(content) => Some(Self::Delta {
                content: content.clone(),
            }),
            TurnEvent::ToolCalls(_) | TurnEvent::Rerouted(_) => None,
            TurnEvent::Done(turn) => Some(Self::Done { turn: turn.clone() }),
            TurnEvent::Failed(error) => Some(Self::Failed {
                error: describe(error),
            }),
        }
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub(super) fn decode(payload: &[u8]) -> Option<Self> {
        serde_json::from_slice(payload).ok()
    }
}

/// Numbers the events of one live stream.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventNumbering(Option<EventId>);

impl EventNumbering {
    /// The id of `event`, the next one of the stream; `None` for events that are not
    /// numbered (tool calls).
    pub fn number(&mut self, event: &TurnEvent) -> Option<EventId> {
        let content = match event {
            TurnEvent::Delta(content) => content.len(),
            TurnEvent::ToolCalls(_) | TurnEvent::Rerouted(_) => return None,
            TurnEvent::Done(_) | TurnEvent::Failed(_) => 0,
        };
        let id = self.0.unwrap_or(EventId::START).next(content);
        self.0 = Some(id);
        Some(id)
    }
}

/// Where a stream's events go: to the client, and (for an answer stored in a chat) to
/// the log.
pub(super) struct Outlet {
    client: UnboundedSender<TurnEvent>,
    log: Option<UnboundedSender<LoggedEvent>>,
    numbering: EventNumbering,
}

impl Outlet {
    /// An outlet to `client`; with `logged`, the events also go to `log` under that
    /// message id, written by a task of its own.
    pub(super) fn new(
        client: UnboundedSender<TurnEvent>,
        logged: Option<(Arc<dyn AnswerLog>, MessageId, Duration)>,
        tasks: &dyn Tasks,
    ) -> Self {
        let log = logged.map(|(log, message, ttl)| {
            let (sender, receiver) = unbounded();
            tasks.spawn(Box::pin(write(log, message, ttl, receiver)));
            sender
        });
        Self {
            client,
            log,
            numbering: EventNumbering::default(),
        }
    }

    /// Forwards `event`; a client that left no longer listens, which is no error.
    pub(super) fn send(&mut self, event: TurnEvent) {
        if let Some(id) = self.numbering.number(&event)
            && let Some(log) = &self.log
            && let Some(logged) = AnswerEvent::of(&event)
        {
            let _ = log.unbounded_send(LoggedEvent {
                id,
                payload: logged.encode(),
            });
        }
        let _ = self.client.unbounded_send(event);
    }

    /// Ends the client's stream.
    pub(super) fn close(&self) {
        self.client.close_channel();
    }
}

/// Appends what has queued up, batch by batch, until the stream ends or the log fails.
async fn write(
    log: Arc<dyn AnswerLog>,
    message: MessageId,
    ttl: Duration,
    mut events: UnboundedReceiver<LoggedEvent>,
) {
    while let Some(first) = events.next().await {
        let mut batch = vec![first];
        while let Ok(more) = events.try_recv() {
            batch.push(more);
        }
        if let Err(error) = log.append(message, &batch, ttl).await {
            tracing::warn!(error = %error, message_id = %message,
                "answer log unavailable; a reconnect waits for the stored answer");
            return;
        }
    }
}
