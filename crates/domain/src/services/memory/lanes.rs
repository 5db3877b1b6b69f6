//! Who goes first at the embeddings service. Interactive calls are the ones someone
//! waits for: a turn's recall and the statements it remembers, a search query, a
//! preference added by hand. Indexing messages for search is background work: a
//! background call starts only while no interactive call is in flight, and sends one
//! text at a time (`learn`), so an interactive call never queues behind a backlog at
//! the embeddings server (the local one infers one request at a time): at most behind
//! the one background text already sent, per index worker.

use std::slice;
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures_channel::oneshot;

use super::MemoryService;
use crate::Embedding;
use crate::ports::{EmbedError, EmbeddingPurpose};

#[derive(Debug, Default)]
struct State {
    /// Interactive calls in flight.
    interactive: usize,
    /// Background calls waiting for the interactive ones to end.
    waiting: Vec<oneshot::Sender<()>>,
}

/// The lanes' state, shared by every use of the embeddings service.
#[derive(Debug, Default)]
pub(super) struct Lanes(Mutex<State>);

/// An interactive call in flight; background calls wait until none is.
pub(super) struct Interactive<'a>(&'a Lanes);

impl Lanes {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks an interactive call in flight until the returned guard is dropped.
    pub(super) fn interactive(&self) -> Interactive<'_> {
        self.state().interactive += 1;
        Interactive(self)
    }

    /// Returns once no interactive call is in flight.
    pub(super) async fn background_turn(&self) {
        loop {
            let woken = {
                let mut state = self.state();
                if state.interactive == 0 {
                    return;
                }
                let (wake, woken) = oneshot::channel();
                state.waiting.push(wake);
                woken
            };
            // A lost sender (never the case while the lanes live) just checks again.
            let _ = woken.await;
        }
    }

    /// Whether background calls are held back now.
    #[cfg(test)]
    fn holds_background(&self) -> bool {
        self.state().interactive > 0
    }
}

impl Drop for Interactive<'_> {
    fn drop(&mut self) {
        let waiting = {
            let mut state = self.0.state();
            state.interactive -= 1;
            if state.interactive > 0 {
                return;
            }
            std::mem::take(&mut state.waiting)
        };
        for wake in waiting {
            let _ = wake.send(());
        }
    }
}

impl MemoryService {
    /// Embeds `texts` for someone who waits for them (the interactive lane).
    pub async fn embed_now(
        &self,
        texts: &[String],
        purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError> {
        let _in_flight = self.lanes.interactive();
        self.ports.embedder.embed(texts, purpose).await
    }

    /// Embeds `texts` in the background lane: one text per call, each sent only while
    /// no interactive call is in flight.
    pub(super) async fn embed_in_background(
        &self,
        texts: &[String],
        purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for text in texts {
            self.lanes.background_turn().await;
            let vector = self
                .ports
                .embedder
                .embed(slice::from_ref(text), purpose)
                .await?;
            vectors.extend(vector);
        }
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::task::Context;

    use futures_util::task::noop_waker_ref;

    use super::*;

    fn ready(future: std::pin::Pin<&mut impl Future<Output = ()>>) -> bool {
        future
            .poll(&mut Context::from_waker(noop_waker_ref()))
            .is_ready()
    }

    #[test]
    fn background_waits_for_every_interactive_call_to_end() {
        let lanes = Lanes::default();
        assert!(ready(pin!(lanes.background_turn())), "free when idle");
        let first = lanes.interactive();
        let second = lanes.interactive();
        let mut turn = pin!(lanes.background_turn());
        assert!(!ready(turn.as_mut()));
        drop(first);
        assert!(lanes.holds_background());
        assert!(
            !ready(turn.as_mut()),
            "one interactive call still in flight"
        );
        drop(second);
        assert!(!lanes.holds_background());
        assert!(ready(turn.as_mut()));
    }

    #[test]
    fn a_background_call_given_up_while_waiting_leaves_nothing_behind() {
        let lanes = Lanes::default();
        let call = lanes.interactive();
        {
            let mut turn = pin!(lanes.background_turn());
            assert!(!ready(turn.as_mut()));
        }
        drop(call);
        assert!(lanes.state().waiting.is_empty());
        assert!(ready(pin!(lanes.background_turn())));
    }
}
