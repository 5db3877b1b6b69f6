//! `Idempotency-Key` on prompts: a retry with the same key and request gets the first
//! result without a second model call; the same key with another request is refused.

use super::{ChatError, ChatService};
use crate::ports::IdempotencyBegin;
use crate::{UserId, ValidationError};

/// What to do with a request carrying an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyOutcome {
    /// First time: run it, then `idempotency_complete` (or `_release` on failure).
    Proceed,
    /// Done before: answer with this stored result.
    Replay(Vec<u8>),
}

const MAX_KEY_LEN: usize = 255;

impl ChatService {
    /// Claims `key` for a request whose canonical form hashes to `fingerprint`.
    /// When the store is down the request runs without the guarantee (logged).
    pub async fn idempotency_begin(
        &self,
        owner: UserId,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyOutcome, ChatError> {
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::new(
                "Idempotency-Key",
                format!("must be 1-{MAX_KEY_LEN} printable ASCII characters"),
            )
            .into());
        }
        let scope = owner.to_string();
        match self
            .ports
            .idempotency
            .begin(&scope, key, fingerprint, self.policy.idempotency_ttl)
            .await
        {
            Ok(IdempotencyBegin::Started) => Ok(IdempotencyOutcome::Proceed),
            Ok(IdempotencyBegin::Completed(result)) => Ok(IdempotencyOutcome::Replay(result)),
            Ok(IdempotencyBegin::InProgress) => Err(ChatError::IdempotencyInProgress),
            Ok(IdempotencyBegin::Mismatch) => Err(ChatError::IdempotencyKeyReused),
            Err(error) => {
                tracing::warn!(error = %error, "idempotency store unavailable; running without it");
                Ok(IdempotencyOutcome::Proceed)
            }
        }
    }

    /// Stores the result of a request that ran under `key`.
    pub async fn idempotency_complete(
        &self,
        owner: UserId,
        key: &str,
        fingerprint: &str,
        result: &[u8],
    ) {
        let scope = owner.to_string();
        if let Err(error) = self
            .ports
            .idempotency
            .complete(
                &scope,
                key,
                fingerprint,
                result,
                self.policy.idempotency_ttl,
            )
            .await
        {
            tracing::warn!(error = %error, "idempotency result not stored");
        }
    }

    /// Gives `key` up after a failure, so that a retry runs again.
    pub async fn idempotency_release(&self, owner: UserId, key: &str) {
        if let Err(error) = self
            .ports
            .idempotency
            .release(&owner.to_string(), key)
            .await
        {
            tracing::warn!(error = %error, "idempotency key not released");
        }
    }
}
