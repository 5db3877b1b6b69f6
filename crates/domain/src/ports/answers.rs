//! The log of a streamed answer's events while it is written, shared by every replica,
//! so a client whose stream broke can pick it up where it left off on any of them.
//!
//! A log lives for a limited time after its last append: it serves reconnects, the
//! stored answer is the record.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::MessageId;

/// Where an event sits in its answer's stream: its sequence number (1 for the first
/// event) and how many bytes of the answer's content the events up to it carried. Both
/// follow from the events alone, so every replica numbers an answer the same way; the
/// client sees it as `<seq>-<offset>` (the SSE `id`, sent back as `Last-Event-ID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    pub seq: u64,
    pub offset: u64,
}

impl EventId {
    /// Before the first event.
    pub const START: Self = Self { seq: 0, offset: 0 };

    /// The id of the event after this one, which carries `content` more bytes.
    #[must_use]
    pub fn next(self, content: usize) -> Self {
        Self {
            seq: self.seq + 1,
            offset: self.offset + u64::try_from(content).unwrap_or(u64::MAX),
        }
    }

    /// Parses `<seq>-<offset>`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (seq, offset) = text.trim().split_once('-')?;
        Some(Self {
            seq: seq.parse().ok()?,
            offset: offset.parse().ok()?,
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.seq, self.offset)
    }
}

/// One event of an answer as the log keeps it; the payload is the domain's encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    pub id: EventId,
    pub payload: Vec<u8>,
}

/// Per answer (by its message id), its events in order.
#[async_trait]
pub trait AnswerLog: Send + Sync {
    /// Appends `events` (in order, each id above the last one stored) and makes the
    /// answer's log expire `ttl` after this call.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the log cannot be reached; then none, some or
    /// all of `events` may be stored.
    async fn append(
        &self,
        message: MessageId,
        events: &[LoggedEvent],
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// The answer's events whose sequence number is above `after.seq`, oldest first;
    /// empty for an answer with no log (never written, or expired).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the log cannot be reached.
    async fn read_after(
        &self,
        message: MessageId,
        after: EventId,
    ) -> Result<Vec<LoggedEvent>, StoreError>;
}
