//! Credentials: password hashing, signed tokens, their revocation, and encryption of
//! third-party secrets at rest.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use uuid::Uuid;

use super::StoreError;
use crate::{CustomModelId, Password, PasswordHash, UserId};

/// Slow, salted password hashing. Implementations keep the work off the async threads.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, anyhow::Error>;

    /// Whether `password` matches `hash`. With `hash = None` it verifies against a
    /// dummy hash and returns `false`, so an unknown user costs the same time as a
    /// wrong password.
    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, anyhow::Error>;
}

/// Which of the two token audiences a token belongs to; one never stands for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

/// What a verified access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub jti: Uuid,
    /// The refresh chain (login session) the token belongs to.
    pub family: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// What a verified refresh token says.
pub type RefreshClaims = AccessClaims;

/// A freshly issued access + refresh token pair.
#[derive(Debug)]
pub struct TokenPair {
    pub access_token: SecretString,
    pub refresh_token: SecretString,
    pub access: AccessClaims,
    pub refresh: RefreshClaims,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

/// Why a token was refused. Clients learn which, in words that never say whether the
/// user exists: expiry and kind are only reported for a token whose signature holds.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Not a token at all (not three base64url parts of JSON).
    #[error("token is malformed")]
    Malformed,
    /// Forged, signed with another key or algorithm, or with claims this service does
    /// not issue.
    #[error("token is invalid")]
    Invalid,
    /// Genuine but expired.
    #[error("token has expired")]
    Expired,
    /// Genuine but of the other kind (a refresh token used as an access token, or the
    /// other way round).
    #[error("token is of the wrong kind")]
    WrongKind,
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// Issues and verifies signed tokens.
pub trait TokenService: Send + Sync {
    /// Issues a pair in `family` (a new login starts a new family).
    fn issue(&self, user_id: UserId, family: Uuid) -> Result<TokenPair, TokenError>;

    /// Verifies signature, algorithm, audience, issuer, expiry and kind.
    fn verify(&self, token: &str, kind: TokenKind) -> Result<AccessClaims, TokenError>;
}

/// Revocation state of tokens, shared by every replica.
#[async_trait]
pub trait TokenDenylist: Send + Sync {
    /// Revokes one token until it would have expired anyway.
    async fn revoke_token(&self, jti: Uuid, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Revokes a whole refresh chain (and the access tokens issued in it).
    async fn revoke_family(&self, family: Uuid, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Whether the token or its family is revoked.
    async fn is_revoked(&self, jti: Uuid, family: Uuid) -> Result<bool, StoreError>;
}

/// A login session: one refresh chain of a user, and the refresh token it expects
/// next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub family: Uuid,
    pub user: UserId,
    /// The only refresh token of the chain that may be used now.
    pub next_refresh: Uuid,
    /// When the chain ends by itself.
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token to its chain did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// It was the expected one; the chain now expects the new token.
    Rotated,
    /// It was used before: a replay (a stolen copy, or the thief's original).
    Replayed,
    /// The chain was ended (logout, password change, an admin) or is unknown.
    Ended,
}

/// The durable record of login sessions: rotation and reuse detection of refresh
/// tokens, and ending sessions. The denylist is the fast path that makes an ended
/// session's access tokens stop at once; this store is what holds when it forgets.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn start(&self, session: &Session) -> Result<(), StoreError>;

    /// Moves the chain from `used` to `next` (valid until `expires_at`), atomically.
    async fn rotate(
        &self,
        family: Uuid,
        used: Uuid,
        next: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<Rotation, StoreError>;

    /// Ends one chain.
    async fn end(&self, family: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Ends every live chain of `user` but `keep`; returns the chains ended.
    async fn end_all(
        &self,
        user: UserId,
        keep: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError>;
}

/// Failure to encrypt or decrypt a secret.
#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    /// The ciphertext is malformed, tampered with, bound to another user, or sealed
    /// with a key this server does not hold.
    #[error("ciphertext cannot be opened")]
    Undecryptable,
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What a sealed secret belongs to; the cipher binds a ciphertext to it, so one copied
/// to another row does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretOwner<'a> {
    /// A user's own secret (the OpenRouter key).
    User(UserId),
    /// The value of one of a custom model's webhook headers.
    ModelHeader(CustomModelId, &'a str),
    /// A custom model's signing secret.
    ModelSigning(CustomModelId),
    /// The master-key check value (see `services::master_key`).
    MasterKeyCheck,
}

impl std::fmt::Display for SecretOwner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::User(id) => write!(f, "{id}"),
            Self::ModelHeader(id, name) => write!(f, "model:{id}:header:{name}"),
            Self::ModelSigning(id) => write!(f, "model:{id}:signing"),
            Self::MasterKeyCheck => f.write_str("master-key-check"),
        }
    }
}

/// Authenticated encryption of secrets at rest, bound to their owner.
pub trait SecretCipher: Send + Sync {
    fn encrypt(
        &self,
        owner: SecretOwner<'_>,
        plaintext: &SecretString,
    ) -> Result<String, CipherError>;

    fn decrypt(
        &self,
        owner: SecretOwner<'_>,
        ciphertext: &str,
    ) -> Result<SecretString, CipherError>;

    /// Whether a ciphertext was sealed with a key other than the current one.
    fn needs_rotation(&self, ciphertext: &str) -> bool;
}
