//! The idempotency guard of a turn: a request with an `Idempotency-Key` claims the key
//! on a short lease that the turn keeps renewing while it runs; the result is stored
//! for retries, a failure gives the key back. A turn that dies without either (a crash,
//! the store unreachable at the end) frees its key when the lease runs out.

use std::future::Future;

use futures_util::future::{Either, select};
use sha2::{Digest, Sha256};

use super::{ChatError, ChatService, ChatTurn, TurnRequest};
use crate::ValidationError;
use crate::ports::IdempotencyBegin;

const MAX_KEY_LEN: usize = 255;

/// A key this turn holds.
#[derive(Debug, Clone)]
pub(super) struct Claim {
    scope: String,
    key: String,
    fingerprint: String,
}

/// What the guard decided for a request.
pub(super) enum Admission {
    /// Run it; with the claim to settle when it ends.
    Run(Option<Claim>),
    /// Done before: this is its result.
    Replay(Box<ChatTurn>),
}

/// A digest of what the request asks for, telling a retry from another request.
/// How the answer is delivered is left out: a streamed retry of a whole request gets
/// the same answer.
fn fingerprint(request: &TurnRequest) -> String {
    let canonical = serde_json::to_vec(&(
        &request.conversation,
        &request.model,
        &request.options,
        request.memory,
    ))
    .unwrap_or_default();
    format!("{:x}", Sha256::digest(&canonical))
}

impl ChatService {
    /// Claims the request's key, or finds the result of the request that used it.
    /// When the store is down the request runs without the guarantee (logged).
    pub(super) async fn guard(&self, request: &TurnRequest) -> Result<Admission, ChatError> {
        let Some(key) = request.idempotency_key.as_deref() else {
            return Ok(Admission::Run(None));
        };
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::new(
                "Idempotency-Key",
                format!("must be 1-{MAX_KEY_LEN} printable ASCII characters"),
            )
            .into());
        }
        let claim = Claim {
            scope: request.owner.to_string(),
            key: key.to_owned(),
            fingerprint: fingerprint(request),
        };
        let begin = self.ports.idempotency.begin(
            &claim.scope,
            &claim.key,
            &claim.fingerprint,
            self.policy.idempotency_lease,
        );
        match request.timeline.time("idempotency", begin).await {
            Ok(IdempotencyBegin::Started) => Ok(Admission::Run(Some(claim))),
            Ok(IdempotencyBegin::Completed(stored)) => self
                .replay(request.owner, &stored)
                .await
                .map(|turn| Admission::Replay(Box::new(turn))),
            Ok(IdempotencyBegin::InProgress) => Err(ChatError::IdempotencyInProgress),
            Ok(IdempotencyBegin::Mismatch) => Err(ChatError::IdempotencyKeyReused),
            Err(error) => {
                tracing::warn!(error = %error, "idempotency store unavailable; running without it");
                Ok(Admission::Run(None))
            }
        }
    }

    /// A stored result, unless its chat was deleted since: deletion wins over replays.
    async fn replay(&self, owner: crate::UserId, stored: &[u8]) -> Result<ChatTurn, ChatError> {
        let turn: ChatTurn = serde_json::from_slice(stored).map_err(|error| {
            ChatError::Service(crate::services::ServiceError::Unknown(error.into()))
        })?;
        if let Some(chat) = &turn.chat
            && self.ports.chats.find_chat(owner, chat.id).await?.is_none()
        {
            return Err(ChatError::NotFound);
        }
        Ok(turn)
    }

    /// Runs `work` while renewing the claim's lease, so the key stays this turn's for
    /// as long as it runs and not a moment longer.
    pub(super) async fn hold<F: Future>(&self, claim: Option<&Claim>, work: F) -> F::Output {
        let Some(claim) = claim else {
            return work.await;
        };
        let lease = self.policy.idempotency_lease;
        let renew = async {
            loop {
                self.ports.tasks.sleep(lease / 3).await;
                let renewed = self
                    .ports
                    .idempotency
                    .renew(&claim.scope, &claim.key, &claim.fingerprint, lease)
                    .await;
                match renewed {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!("idempotency claim lost while the turn ran"),
                    Err(error) => tracing::warn!(error = %error, "idempotency claim not renewed"),
                }
            }
        };
        match select(Box::pin(work), Box::pin(renew)).await {
            Either::Left((output, _)) => output,
            Either::Right(_) => unreachable!("the renewal never ends"),
        }
    }

    /// Ends the claim: the result is kept for retries, or the key is given back.
    pub(super) async fn settle(&self, claim: Option<&Claim>, result: Option<&ChatTurn>) {
        let Some(claim) = claim else { return };
        let outcome = match result.map(serde_json::to_vec) {
            Some(Ok(body)) => {
                self.ports
                    .idempotency
                    .complete(
                        &claim.scope,
                        &claim.key,
                        &claim.fingerprint,
                        &body,
                        self.policy.idempotency_ttl,
                    )
                    .await
            }
            Some(Err(error)) => {
                tracing::error!(error = %error, "turn result not serializable; key released");
                self.release(claim).await
            }
            None => self.release(claim).await,
        };
        if let Err(error) = outcome {
            tracing::warn!(error = %error, "idempotency key not settled; it frees itself when its lease ends");
        }
    }

    async fn release(&self, claim: &Claim) -> Result<(), crate::ports::StoreError> {
        self.ports
            .idempotency
            .release(&claim.scope, &claim.key, &claim.fingerprint)
            .await
    }
}
