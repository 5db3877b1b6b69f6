//! Tokens issued elsewhere, and the map from their identities to local users.

use async_trait::async_trait;

use super::StoreError;
use crate::external::ExternalIdentity;
use crate::services::auth::Refusal;
use crate::{User, UserId};

/// Why a token of a trusted issuer was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ExternalTokenError {
    /// No trusted issuer vouches for this token: it may be one of ours, or nobody's.
    #[error("no trusted issuer recognises the token")]
    NotRecognised,
    /// A trusted issuer's token, refused (expired, wrong `token_type`, bad subject...).
    #[error("token of a trusted issuer refused: {0:?}")]
    Refused(Refusal),
    /// The issuer's keys could not be fetched, and none are known yet.
    #[error("the issuer's keys are unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// Verifies bearer tokens against the configured trusted issuers.
#[async_trait]
pub trait ExternalTokenVerifier: Send + Sync {
    /// The identity a valid token of a trusted issuer names.
    ///
    /// # Errors
    /// [`ExternalTokenError::NotRecognised`] when no issuer's key verifies it;
    /// [`ExternalTokenError::Refused`] when one does but its claims are not acceptable.
    async fn verify(&self, token: &str) -> Result<ExternalIdentity, ExternalTokenError>;
}

/// The map from external identities to local users.
#[async_trait]
pub trait ExternalIdentityStore: Send + Sync {
    /// The local user this identity maps to, if it was seen before.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn find_user(&self, identity: &ExternalIdentity) -> Result<Option<UserId>, StoreError>;

    /// Stores `user` and maps `identity` to it, both or neither.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the identity is already mapped (another request
    /// created it first) or the username is taken.
    async fn create_user(&self, identity: &ExternalIdentity, user: &User)
    -> Result<(), StoreError>;
}
