//! Personal API keys: minting, listing and revoking them, and authenticating a
//! request's bearer credential, which is either a login's access token or such a key.
//!
//! A replica remembers the keys it has seen under their owner's account stamp (see
//! `stamped_cache`), so a request with a known key reads the shared stamp (one Redis
//! round trip) instead of the database. Revocation deletes the key and then renews the
//! stamp, so the key stops working at the next request on every replica; when the stamps
//! cannot be read, every request reads the database, so a revoked key never gets
//! through.

mod usage;

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::api_key::{API_KEY_MARKER, API_KEY_MAX_CHARS, API_KEY_PREFIX_CHARS};
use crate::ports::{ApiKeyMinter, ApiKeyStore, Clock, StoreError, StoredApiKey, Tasks};
use crate::services::ServiceError;
use crate::services::auth::{AuthError, AuthService, Refusal};
use crate::services::issuers::ExternalSignIn;
use crate::services::stamped_cache::StampedCache;
use crate::{
    ApiKey, ApiKeyHash, ApiKeyId, ApiKeyName, Credential, KeyLifetime, Principal, UserId,
    ValidationError,
};

use usage::UsageRecorder;

/// The ports API keys need.
#[derive(Clone)]
pub struct ApiKeyPorts {
    pub keys: Arc<dyn ApiKeyStore>,
    pub minter: Arc<dyn ApiKeyMinter>,
    /// Runs the `last_used_at` writes after the response.
    pub tasks: Arc<dyn Tasks>,
    pub clock: Arc<dyn Clock>,
}

/// Tunables of API keys.
#[derive(Debug, Clone, Copy)]
pub struct ApiKeyPolicy {
    /// `last_used_at` is written at most this often per key and replica, so a busy key
    /// costs one write a minute, not one per request.
    pub usage_resolution: Duration,
    /// How many keys one user may hold, so that minting cannot grow a table without bound.
    pub max_keys_per_user: usize,
}

impl Default for ApiKeyPolicy {
    fn default() -> Self {
        Self {
            usage_resolution: Duration::from_mins(1),
            max_keys_per_user: 100,
        }
    }
}

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// No such key among the caller's (another user's key is reported the same way).
    #[error("API key not found")]
    NotFound,
    /// The user already holds as many keys as allowed; revoking one makes room.
    #[error("too many API keys")]
    LimitReached { limit: usize },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for ApiKeyError {
    fn from(error: StoreError) -> Self {
        Self::Service(error.into())
    }
}

/// A new key and its secret, which is shown to the user this once and never again.
#[derive(Debug)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: SecretString,
}

/// The API keys use case; it also authenticates every request.
pub struct ApiKeyService {
    ports: ApiKeyPorts,
    sessions: Arc<AuthService>,
    usage: UsageRecorder,
    max_keys_per_user: usize,
    /// Keys seen by this replica, by hash, under their owner's stamp.
    known: StampedCache<ApiKeyHash, StoredApiKey>,
    /// Tokens of trusted issuers, when any are configured.
    external: Option<Arc<ExternalSignIn>>,
}

impl ApiKeyService {
    /// Keys over `ports`; access tokens are verified by `sessions`.
    pub fn new(ports: ApiKeyPorts, sessions: Arc<AuthService>, policy: ApiKeyPolicy) -> Self {
        Self {
            usage: UsageRecorder::new(policy.usage_resolution),
            max_keys_per_user: policy.max_keys_per_user,
            known: StampedCache::new(),
            external: None,
            ports,
            sessions,
        }
    }

    /// Also accepts the access tokens of trusted issuers, checked after the service's
    /// own tokens.
    #[must_use]
    pub fn with_external(mut self, external: Arc<ExternalSignIn>) -> Self {
        self.external = Some(external);
        self
    }

    /// Mints a key for `owner` named `name`, expiring after `expires_in_days` if given.
    /// The limit on keys per user is checked before the insert, so requests racing past
    /// it can overshoot by their number; it bounds growth, it is not an exact quota.
    pub async fn create(
        &self,
        owner: UserId,
        name: &str,
        expires_in_days: Option<i64>,
    ) -> Result<CreatedApiKey, ApiKeyError> {
        let name = ApiKeyName::parse(name)?;
        let lifetime = expires_in_days.map_or(Ok(KeyLifetime::UNLIMITED), KeyLifetime::days)?;
        if self.ports.keys.list(owner).await?.len() >= self.max_keys_per_user {
            return Err(ApiKeyError::LimitReached {
                limit: self.max_keys_per_user,
            });
        }
        let minted = self.ports.minter.mint();
        let now = self.ports.clock.now();
        let key = ApiKey {
            id: ApiKeyId::generate(),
            user_id: owner,
            name,
            prefix: minted
                .secret
                .expose_secret()
                .chars()
                .take(API_KEY_PREFIX_CHARS)
                .collect(),
            created_at: now,
            expires_at: lifetime.expiry(now),
            last_used_at: None,
        };
        self.ports.keys.create(&key, &minted.hash).await?;
        tracing::info!(key_id = %key.id, key_prefix = %key.prefix, "API key created");
        Ok(CreatedApiKey {
            key,
            secret: minted.secret,
        })
    }

    /// The owner's keys, newest first, without their secrets.
    pub async fn list(&self, owner: UserId) -> Result<Vec<ApiKey>, ApiKeyError> {
        Ok(self.ports.keys.list(owner).await?)
    }

    /// Deletes the owner's key `id`; it stops authenticating with the next request.
    pub async fn revoke(&self, owner: UserId, id: ApiKeyId) -> Result<(), ApiKeyError> {
        if self.ports.keys.delete(owner, id).await? {
            self.sessions.renew_account_stamp(owner).await;
            tracing::info!(key_id = %id, "API key revoked");
            Ok(())
        } else {
            Err(ApiKeyError::NotFound)
        }
    }

    /// Who a bearer credential belongs to: a personal API key (`pc_…`, looked up by its
    /// hash, refused once expired or revoked) or else an access token, the service's
    /// own (see [`AuthService::authenticate`]) or, when that does not recognise it, a
    /// trusted issuer's (see [`ExternalSignIn::authenticate`]).
    ///
    /// A key lookup that fails because the store is down fails the request (503) rather
    /// than letting a possibly revoked key through.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AuthError> {
        if !bearer.starts_with(API_KEY_MARKER) {
            return self.authenticate_token(bearer).await;
        }
        if bearer.len() > API_KEY_MAX_CHARS {
            return Err(AuthError::Unauthorized(Refusal::Malformed));
        }
        let hash = self.ports.minter.hash(bearer);
        let Some(stored) = self.find_by_hash(hash).await? else {
            return Err(AuthError::Unauthorized(Refusal::Unrecognized));
        };
        let now = self.ports.clock.now();
        if !self.ports.minter.verify(bearer, &stored.hash) {
            return Err(AuthError::Unauthorized(Refusal::Unrecognized));
        }
        if stored.key.is_expired(now) {
            tracing::debug!(key_prefix = %stored.key.prefix, "expired API key refused");
            return Err(AuthError::Unauthorized(Refusal::Expired));
        }
        self.usage.record(&stored.key, now, &self.ports);
        Ok(Principal {
            user_id: stored.key.user_id,
            credential: Credential::ApiKey(stored.key.id),
        })
    }

    /// An access token: ours, or else a trusted issuer's. Only a token ours does not
    /// recognise at all is shown to the issuers, so an expired or revoked token of
    /// ours stays refused as such.
    async fn authenticate_token(&self, bearer: &str) -> Result<Principal, AuthError> {
        match self.sessions.authenticate(bearer).await {
            Ok(claims) => Ok(Principal {
                user_id: claims.user_id,
                credential: Credential::Session(claims),
            }),
            Err(AuthError::Unauthorized(
                refusal @ (Refusal::Unrecognized | Refusal::Malformed),
            )) => match &self.external {
                Some(external) => external
                    .authenticate(bearer)
                    .await?
                    .ok_or(AuthError::Unauthorized(refusal)),
                None => Err(AuthError::Unauthorized(refusal)),
            },
            Err(error) => Err(error),
        }
    }

    /// The key with this hash: as remembered, while its owner's stamp is unchanged, or
    /// else as stored, then remembered under the stamp read *before* that read. The
    /// owner of a key never seen is only known from a first read, so such a key is
    /// read twice (once per replica and `MAX_AGE`).
    async fn find_by_hash(&self, hash: ApiKeyHash) -> Result<Option<StoredApiKey>, StoreError> {
        let now = self.ports.clock.now();
        let (owner, stamp) = if let Some(hit) = self.known.get(&hash, now) {
            let owner = hit.value.key.user_id;
            let stamp = self.sessions.account_stamp(owner).await;
            if stamp == Some(hit.stamp) {
                return Ok(Some(hit.value));
            }
            (owner, stamp)
        } else {
            let Some(first) = self.ports.keys.find_by_hash(&hash).await? else {
                return Ok(None);
            };
            let owner = first.key.user_id;
            let Some(stamp) = self.sessions.account_stamp(owner).await else {
                return Ok(Some(first));
            };
            (owner, Some(stamp))
        };
        let found = self.ports.keys.find_by_hash(&hash).await?;
        match &found {
            Some(key) if key.key.user_id == owner => {
                if let Some(stamp) = stamp {
                    self.known.put(hash, stamp, key.clone(), now);
                }
            }
            _ => self.known.forget(&hash),
        }
        Ok(found)
    }
}
