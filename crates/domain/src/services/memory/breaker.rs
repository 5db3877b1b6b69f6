//! The embeddings service as the hot path sees it. Recall waits for it at most its own
//! deadline; after a few failures in a row (errors or missed deadlines) the breaker
//! opens and turns skip recall at once, while one background probe asks the service
//! for a short embedding every little while until it answers, which closes the breaker.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::{Either, select};

use super::MemoryService;
use crate::ports::EmbeddingPurpose;

/// When recall gives up on the embeddings service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecallPolicy {
    /// The longest a turn waits for its prompt's embedding.
    pub deadline: Duration,
    /// Failures in a row that open the breaker.
    pub failures_to_open: u32,
    /// Between two probes while the breaker is open.
    pub probe_interval: Duration,
}

impl Default for RecallPolicy {
    fn default() -> Self {
        Self {
            deadline: Duration::from_millis(300),
            failures_to_open: 3,
            probe_interval: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open: bool,
}

/// The breaker's state, shared by every turn.
#[derive(Debug, Default)]
pub(super) struct Breaker(Mutex<State>);

impl Breaker {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn is_open(&self) -> bool {
        self.state().open
    }

    pub(super) fn succeeded(&self) {
        *self.state() = State::default();
    }

    /// Counts a failure; whether this one opened the breaker.
    fn failed(&self, failures_to_open: u32) -> bool {
        let mut state = self.state();
        state.failures += 1;
        let opens = !state.open && state.failures >= failures_to_open;
        state.open |= opens;
        opens
    }
}

impl MemoryService {
    /// Counts a failed or late embedding of a prompt; the failure that opens the
    /// breaker starts the probe.
    pub(super) fn recall_failed(&self) {
        if !self.breaker.failed(self.policy.recall.failures_to_open) {
            return;
        }
        tracing::warn!(
            failures = self.policy.recall.failures_to_open,
            "embeddings service failing; turns skip recall until it answers again"
        );
        let service = self.clone();
        self.ports
            .tasks
            .spawn(Box::pin(async move { service.probe().await }));
    }

    /// Asks for a short embedding every `probe_interval` until one comes back within
    /// the deadline (then the breaker closes) or the server stops.
    async fn probe(&self) {
        let texts = ["probe".to_owned()];
        loop {
            let wait = self.ports.tasks.sleep(self.policy.recall.probe_interval);
            if let Either::Right(_) = select(wait, self.ports.tasks.stopping()).await {
                return;
            }
            let embed = std::pin::pin!(self.embed_now(&texts, EmbeddingPurpose::Query));
            let deadline = self.ports.tasks.sleep(self.policy.recall.deadline);
            if let Either::Left((Ok(_), _)) = select(embed, deadline).await {
                self.breaker.succeeded();
                tracing::info!("embeddings service answers again; recall resumes");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_once_and_closes_on_success() {
        let breaker = Breaker::default();
        assert!(!breaker.failed(3));
        breaker.succeeded();
        assert!(!breaker.failed(3));
        assert!(!breaker.failed(3));
        assert!(!breaker.is_open());
        assert!(breaker.failed(3), "the third in a row opens it");
        assert!(breaker.is_open());
        assert!(!breaker.failed(3), "already open: no second probe");
        breaker.succeeded();
        assert!(!breaker.is_open());
    }
}
