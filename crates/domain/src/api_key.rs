//! Personal API keys: long-lived bearer secrets a user mints for scripts and
//! OpenAI-compatible clients, and the principal a request authenticates as.
//!
//! A key is shown once, at creation; only its hash and its first characters (the
//! `prefix`, so the user can tell keys apart) are kept.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use crate::ports::AccessClaims;
use crate::{ApiKeyId, IssuerName, UserId, ValidationError};

/// How every personal API key starts, so a bearer credential can be told apart from a
/// signed token (those start with `eyJ`) before any lookup.
pub const API_KEY_MARKER: &str = "pc_";

/// How many leading characters of a key are kept in clear and shown as its `prefix`.
pub const API_KEY_PREFIX_CHARS: usize = 8;

/// A bearer credential longer than this is not a key of ours; refused without a lookup.
pub const API_KEY_MAX_CHARS: usize = 128;

/// What the user calls a key: 1-64 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyName(String);

impl ApiKeyName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let trimmed = text.trim();
        let length = trimmed.chars().count();
        if length == 0 || length > Self::MAX_CHARS || trimmed.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "name",
                format!("must be 1-{} printable characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<ApiKeyName> for String {
    fn from(value: ApiKeyName) -> Self {
        value.0
    }
}

/// How long a new key lives: 1-3650 days, or for ever when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyLifetime(Option<u16>);

impl KeyLifetime {
    pub const MAX_DAYS: i64 = 3650;

    /// A key that never expires.
    pub const UNLIMITED: Self = Self(None);

    /// `expires_in_days` as the client sent it.
    pub fn days(days: i64) -> Result<Self, ValidationError> {
        u16::try_from(days)
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(&i64::from(*d)))
            .map(|d| Self(Some(d)))
            .ok_or_else(|| {
                ValidationError::new(
                    "expires_in_days",
                    format!("must be an integer from 1 to {}", Self::MAX_DAYS),
                )
            })
    }

    /// When a key created at `created_at` expires, if ever.
    pub fn expiry(self, created_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.0
            .map(|days| created_at + TimeDelta::days(i64::from(days)))
    }
}

/// The stored digest of a key. Only the minter that made it knows how it is computed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiKeyHash(Vec<u8>);

impl ApiKeyHash {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeyHash(..)")
    }
}

/// A personal API key as the user sees it: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub user_id: UserId,
    pub name: ApiKeyName,
    /// The first [`API_KEY_PREFIX_CHARS`] characters of the key.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most about once a minute, so it can lag the last use by that much.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Whether the key no longer authenticates at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// An access token from a login: it may do everything, including managing keys.
    Session(AccessClaims),
    /// A personal API key: everything except minting keys, logging out, refreshing
    /// tokens and changing the password.
    ApiKey(ApiKeyId),
    /// An access token of a trusted issuer: everything an API key may do, since the
    /// issuer, not this service, manages its sessions and the user has no password.
    External(IssuerName),
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub credential: Credential,
}

impl Principal {
    /// The login session's claims, or `None` for an API key.
    pub fn session(&self) -> Option<&AccessClaims> {
        match &self.credential {
            Credential::Session(claims) => Some(claims),
            Credential::ApiKey(_) | Credential::External(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(ApiKeyName::parse("  n8n  ").unwrap().as_str(), "n8n");
        assert_eq!(ApiKeyName::parse("   ").unwrap_err().field, "name");
        assert!(ApiKeyName::parse(&"é".repeat(64)).is_ok());
        assert!(ApiKeyName::parse(&"é".repeat(65)).is_err());
        assert!(ApiKeyName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn lifetimes_are_one_day_to_ten_years() {
        for bad in [0, -1, 3651, i64::MAX] {
            assert_eq!(KeyLifetime::days(bad).unwrap_err().field, "expires_in_days");
        }
        let at = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        let one = KeyLifetime::days(1).unwrap();
        assert_eq!(one.expiry(at), Some(at + TimeDelta::days(1)));
        assert!(KeyLifetime::days(3650).is_ok());
        assert_eq!(KeyLifetime::UNLIMITED.expiry(at), None);
    }
}
