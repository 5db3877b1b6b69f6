//! The budget of generations in flight: each turn that calls a model holds one of its
//! user's slots from before the model call until the answer is stored, streamed or
//! whole. A whole answer counts too: its generation goes on when the client leaves
//! (see [`ChatService::answer`]), so leaving the stream out would leave the same hole
//! open through `stream: false`.
//!
//! The slots live in the shared store on leases the turn renews while it runs, so a
//! replica that dies frees its slots within one lease. A store that cannot be reached
//! lets the turn run without a slot (logged), as the idempotency guard does: an outage of
//! the store costs the budget, not the chat.

use std::future::Future;

use futures_util::future::{Either, select};
use uuid::Uuid;

use super::{ChatError, ChatService};
use crate::UserId;
use crate::ports::SlotDecision;

/// A slot a turn holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    owner: UserId,
    holder: Uuid,
}

impl ChatService {
    /// Takes a slot of `owner`'s budget, or says when to come back.
    pub(super) async fn take_slot(&self, owner: UserId) -> Result<Option<Slot>, ChatError> {
        let Some(limit) = self.policy.generations_per_user else {
            return Ok(None);
        };
        let slot = Slot {
            owner,
            holder: Uuid::new_v4(),
        };
        let lease = self.policy.generation_lease;
        match self
            .ports
            .generations
            .take(owner, slot.holder, limit, lease)
            .await
        {
            Ok(SlotDecision::Taken) => Ok(Some(slot)),
            Ok(SlotDecision::Full { retry_after }) => {
                Err(ChatError::TooManyGenerations { retry_after })
            }
            Err(error) => {
                tracing::warn!(error = %error, "generation slots unavailable; running without one");
                Ok(None)
            }
        }
    }

    /// Runs `work` while renewing the slot's lease.
    pub(super) async fn occupy<F: Future>(&self, slot: Option<&Slot>, work: F) -> F::Output {
        let Some(slot) = slot else {
            return work.await;
        };
        let lease = self.policy.generation_lease;
        let renew = async {
            loop {
                self.ports.tasks.sleep(lease / 3).await;
                let renewed = self
                    .ports
                    .generations
                    .renew(slot.owner, slot.holder, lease)
                    .await;
                match renewed {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!("generation slot lost while the turn ran"),
                    Err(error) => tracing::warn!(error = %error, "generation slot not renewed"),
                }
            }
        };
        match select(Box::pin(work), Box::pin(renew)).await {
            Either::Left((output, _)) => output,
            Either::Right(_) => unreachable!("the renewal never ends"),
        }
    }

    /// Gives the slot back.
    pub(super) async fn free(&self, slot: Option<Slot>) {
        let Some(slot) = slot else { return };
        if let Err(error) = self
            .ports
            .generations
            .release(slot.owner, slot.holder)
            .await
        {
            tracing::warn!(error = %error, "generation slot not released; it frees itself when its lease ends");
        }
    }
}
