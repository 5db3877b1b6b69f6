//! A streamed answer's events as they are numbered, logged and resumed.
//!
//! Every event a client sees but tool calls and reroutes (which only `/v1` and the
//! response headers show, and `/v1` has no resume) gets an [`EventId`] that follows from the events before it, so the live
//! stream, the shared log and a resumed stream on any replica number it alike.
//!
//! The live stream never waits for the log: [`Outlet::send`] hands the event to the
//! client and queues a copy (in a bounded queue) for a writer task that appends what
//! has queued up in one batch. A log that fails stops being written (a log with a gap would resume wrongly);
//! a reconnect then waits for the stored answer instead.

use std::sync::Arc;
use std::time::Duration;

use futures_channel::mpsc::{Receiver, Sender, channel};
use futures_util::StreamExt as _;
use futures_util::future::{Either, poll_fn, select};
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

/// Events of a stored answer that wait for the log's writer; past them the log is
/// behind for good and stops (as when it fails).
const LOG_BUFFER: usize = 256;

/// Where a stream's events go: to the client, and (for an answer stored in a chat) to
/// the log. Both channels are bounded: a client slower than the model makes generation
/// wait (for at most the stall, then generation goes on without it), a log slower than
/// the model stops being written; neither makes the events pile up in memory.
pub(super) struct Outlet {
    client: Option<Sender<TurnEvent>>,
    log: Option<Sender<LoggedEvent>>,
    numbering: EventNumbering,
    tasks: Arc<dyn Tasks>,
    stall: Duration,
}

impl Outlet {
    /// An outlet to `client`; with `logged`, the events also go to `log` under that
    /// message id, written by a task of its own. A client that takes no event for
    /// `stall` is left behind.
    pub(super) fn new(
        client: Sender<TurnEvent>,
        logged: Option<(Arc<dyn AnswerLog>, MessageId, Duration)>,
        tasks: Arc<dyn Tasks>,
        stall: Duration,
    ) -> Self {
        let log = logged.map(|(log, message, ttl)| {
            let (sender, receiver) = channel(LOG_BUFFER);
            tasks.spawn(Box::pin(write(log, message, ttl, receiver)));
            sender
        });
        Self {
            client: Some(client),
            log,
            numbering: EventNumbering::default(),
            tasks,
            stall,
        }
    }

    /// Forwards `event`, waiting while the client's channel is full; a client that left
    /// no longer listens, which is no error, and one that stalls (or a shutdown while
    /// waiting for it) is treated alike.
    pub(super) async fn send(&mut self, event: TurnEvent) {
        if let Some(id) = self.numbering.number(&event)
            && let Some(log) = &mut self.log
            && let Some(logged) = AnswerEvent::of(&event)
        {
            let logged = LoggedEvent {
                id,
                payload: logged.encode(),
            };
            if let Err(error) = log.try_send(logged) {
                if error.is_full() {
                    tracing::warn!(
                        "answer log behind the model; a reconnect waits for the stored answer"
                    );
                }
                self.log = None;
            }
        }
        let Some(client) = &mut self.client else {
            return;
        };
        let stalled = select(self.tasks.sleep(self.stall), self.tasks.stopping());
        let ready = poll_fn(|cx| client.poll_ready(cx));
        let sent = match select(ready, stalled).await {
            Either::Left((Ok(()), _)) => client.start_send(event).is_ok(),
            Either::Left((Err(_), _)) => false,
            Either::Right(_) => {
                tracing::warn!("client stopped reading the stream; generation goes on without it");
                false
            }
        };
        if !sent {
            self.client = None;
        }
    }

    /// Ends the client's stream.
    pub(super) fn close(&mut self) {
        if let Some(client) = &mut self.client {
            client.close_channel();
        }
    }
}

/// Appends what has queued up, batch by batch, until the stream ends or the log fails.
async fn write(
    log: Arc<dyn AnswerLog>,
    message: MessageId,
    ttl: Duration,
    mut events: Receiver<LoggedEvent>,
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
