//! Accounts: registration, login with throttling, token refresh with rotation and
//! replay detection, logout, profile changes, and the user's OpenRouter key, which is
//! only ever held encrypted and decrypted in memory for a model call.

mod keys;
mod profile;
mod refusal;
mod session;

use std::sync::Arc;
use std::time::Duration;

use std::collections::BTreeSet;

use crate::ValidationError;
use crate::ports::{
    Clock, GatewayKeyCheck, PasswordHasher, Quota, RateLimiter, SecretCipher, SessionStore, Stamp,
    StampScope, Stamps, StoreError, Telemetry, TokenDenylist, TokenService, UserRepository,
};
use crate::services::ServiceError;
use crate::services::stamped_cache::{StampedCache, read_stamp, renew_stamp};
use crate::{IssuerName, UserId};

pub use keys::{ModelAccess, RotationReport, ServiceKey};
pub use profile::{ProfileChanges, Registration, SavedAccount};
pub use refusal::Refusal;

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
    #[error("OpenRouter does not know this key")]
    KeyRejected,
    /// The stored key was sealed with a master key this server does not hold.
    #[error("the stored OpenRouter key cannot be opened")]
    KeyUnreadable,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("too many failed attempts")]
    TooManyAttempts { retry_after: Duration },
    #[error("credential refused: {0}")]
    Unauthorized(Refusal),
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
    /// The durable record of refresh chains.
    pub sessions: Arc<dyn SessionStore>,
    pub cipher: Arc<dyn SecretCipher>,
    /// Asks OpenRouter about a key before it is stored.
    pub key_check: Arc<dyn GatewayKeyCheck>,
    pub telemetry: Arc<dyn Telemetry>,
    pub limiter: Arc<dyn RateLimiter>,
    /// Shared by every replica; renewed at every change of an account.
    pub stamps: Arc<dyn Stamps>,
    pub clock: Arc<dyn Clock>,
}

/// The accounts use case.
pub struct AuthService {
    ports: AuthPorts,
    policy: LoginPolicy,
    /// What model calls need of each account, remembered under its stamp.
    accounts: StampedCache<UserId, keys::AccountEntry>,
    service_key: Option<ServiceKey>,
    /// Names of the trusted issuers: `<issuer>.…` usernames are theirs.
    issuers: BTreeSet<IssuerName>,
}

impl AuthService {
    pub fn new(ports: AuthPorts, policy: LoginPolicy) -> Self {
        Self {
            ports,
            policy,
            accounts: StampedCache::new(),
            service_key: None,
            issuers: BTreeSet::new(),
        }
    }

    /// Keeps usernames starting with `<issuer>.` for the users of these trusted
    /// issuers, so that nobody registers the name an issuer's user will get (and, with
    /// it, what an admin granted that name, such as a custom model's `allowed_usernames`).
    #[must_use]
    pub fn with_trusted_issuers(mut self, issuers: impl IntoIterator<Item = IssuerName>) -> Self {
        self.issuers = issuers.into_iter().collect();
        self
    }

    /// Lets `key` answer for the users it serves who have no OpenRouter key.
    #[must_use]
    pub fn with_service_key(mut self, key: Option<ServiceKey>) -> Self {
        self.service_key = key;
        self
    }

    /// The user's stamp, or `None` when the shared store cannot say.
    pub(crate) async fn account_stamp(&self, user: UserId) -> Option<Stamp> {
        read_stamp(self.ports.stamps.as_ref(), StampScope::Account(user)).await
    }

    /// Renews the user's stamp after a change to the account was stored.
    pub(crate) async fn renew_account_stamp(&self, user: UserId) {
        renew_stamp(self.ports.stamps.as_ref(), StampScope::Account(user)).await;
    }

    /// The current time, for what is remembered.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ports.clock.now()
    }
}

fn unknown(error: impl Into<anyhow::Error>) -> AuthError {
    AuthError::Service(ServiceError::Unknown(error.into()))
}
