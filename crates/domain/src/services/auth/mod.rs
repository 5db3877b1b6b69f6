//! Accounts: registration, login with throttling, token refresh with rotation and
//! replay detection, logout, profile changes, and the user's OpenRouter key, which is
//! only ever held encrypted and decrypted in memory for a model call.

mod keys;
mod profile;
mod session;

use std::sync::Arc;
use std::time::Duration;

use crate::ValidationError;
use crate::ports::{
    Clock, PasswordHasher, Quota, RateLimiter, SecretCipher, StoreError, TokenDenylist,
    TokenService, UserRepository,
};
use crate::services::ServiceError;

pub use keys::{ModelAccess, RotationReport};
pub use profile::{ProfileChanges, Registration};

/// How hard logins are throttled, on failed attempts only.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub per_username: Quota,
    pub per_address: Quota,
    /// How long a refresh chain can live: the refresh-token lifetime.
    pub session_lifetime: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            per_username: Quota {
                burst: 5,
                period: Duration::from_mins(5),
            },
            per_address: Quota {
                burst: 20,
                period: Duration::from_mins(5),
            },
            session_lifetime: Duration::from_hours(7 * 24),
        }
    }
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("username is taken")]
    UsernameTaken,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("too many failed attempts")]
    TooManyAttempts { retry_after: Duration },
    #[error("missing, invalid, expired or revoked token")]
    Unauthorized,
    #[error("no user has that name")]
    UnknownUser,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for AuthError {
    fn from(error: StoreError) -> Self {
        Self::Service(error.into())
    }
}

/// The ports accounts need.
#[derive(Clone)]
pub struct AuthPorts {
    pub users: Arc<dyn UserRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenService>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub cipher: Arc<dyn SecretCipher>,
    pub limiter: Arc<dyn RateLimiter>,
    pub clock: Arc<dyn Clock>,
}

/// The accounts use case.
pub struct AuthService {
    ports: AuthPorts,
    policy: LoginPolicy,
}

impl AuthService {
    pub fn new(ports: AuthPorts, policy: LoginPolicy) -> Self {
        Self { ports, policy }
    }
}

fn unknown(error: impl Into<anyhow::Error>) -> AuthError {
    AuthError::Service(ServiceError::Unknown(error.into()))
}
