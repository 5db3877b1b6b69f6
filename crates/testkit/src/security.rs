//! Fast stand-ins for the credential ports. NOT SECURE, test-only: the "hash" holds the
//! password, the "ciphertext" is hex, and tokens are unsigned. They keep the behaviour
//! use cases rely on: wrong passwords fail, a ciphertext opens only for its owner and
//! names its key, tokens expire by the injected clock and one kind never passes for
//! the other.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::TimeDelta;
use polychat_domain::ports::{
    AccessClaims, CipherError, Clock, PasswordHasher, SecretCipher, SecretOwner, TokenError,
    TokenKind, TokenPair, TokenService,
};
use polychat_domain::{Password, PasswordHash, UserId};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

const PLAIN_PREFIX: &str = "plain$";

/// A [`PasswordHasher`] that stores `plain$<password>`. Instant, unsalted, test-only.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainHasher;

#[async_trait]
impl PasswordHasher for PlainHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, anyhow::Error> {
        Ok(PasswordHash::new(format!(
            "{PLAIN_PREFIX}{}",
            password.expose()
        )))
    }

    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, anyhow::Error> {
        let Some(hash) = hash else {
            return Ok(false);
        };
        let stored = hash
            .as_str()
            .strip_prefix(PLAIN_PREFIX)
            .ok_or_else(|| anyhow::anyhow!("not a PlainHasher hash"))?;
        Ok(stored == password.expose())
    }
}

/// A [`SecretCipher`] writing `fake:<key id>:<owner>:<hex of plaintext>`. Reversible by
/// anyone, test-only; it refuses another owner, unknown key ids and malformed input.
#[derive(Debug, Clone)]
pub struct FakeCipher {
    current: String,
    previous: Vec<String>,
}

impl FakeCipher {
    /// Seals with `current`, still opens what `previous` sealed.
    pub fn with_keys(current: &str, previous: &[&str]) -> Self {
        Self {
            current: current.to_owned(),
            previous: previous.iter().map(|&id| id.to_owned()).collect(),
        }
    }

    fn knows(&self, key_id: &str) -> bool {
        key_id == self.current || self.previous.iter().any(|id| id == key_id)
    }
}

impl Default for FakeCipher {
    fn default() -> Self {
        Self::with_keys("k1", &[])
    }
}

fn parse_fake(ciphertext: &str) -> Option<(&str, &str, &str)> {
    let rest = ciphertext.strip_prefix("fake:")?;
    let mut parts = rest.splitn(3, ':');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

fn from_hex(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

impl SecretCipher for FakeCipher {
    fn encrypt(
        &self,
        owner: SecretOwner<'_>,
        plaintext: &SecretString,
    ) -> Result<String, CipherError> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let owner = fake_owner(owner);
        let hex: String = plaintext
            .expose_secret()
            .bytes()
            .flat_map(|byte| [byte >> 4, byte & 0x0f])
            .map(|nibble| char::from(HEX[usize::from(nibble)]))
            .collect();
        Ok(format!("fake:{}:{owner}:{hex}", self.current))
    }

    fn decrypt(
        &self,
        owner: SecretOwner<'_>,
        ciphertext: &str,
    ) -> Result<SecretString, CipherError> {
        let (key_id, sealed_for, hex) = parse_fake(ciphertext).ok_or(CipherError::Undecryptable)?;
        if !self.knows(key_id) || sealed_for != fake_owner(owner) {
            return Err(CipherError::Undecryptable);
        }
        from_hex(hex)
            .map(SecretString::from)
            .ok_or(CipherError::Undecryptable)
    }

    fn needs_rotation(&self, ciphertext: &str) -> bool {
        parse_fake(ciphertext).is_none_or(|(key_id, _, _)| key_id != self.current)
    }
}

/// The owner as the fake format writes it (no `:`, its separator).
fn fake_owner(owner: SecretOwner<'_>) -> String {
    owner.to_string().replace(':', "/")
}

/// A [`TokenService`] issuing unsigned `fake-<kind>.<user>.<jti>.<family>.<expiry ms>`
/// tokens, expiring by the given clock. Anyone can forge them: test-only.
#[derive(Clone)]
pub struct FakeTokens {
    clock: Arc<dyn Clock>,
    access_ttl: TimeDelta,
    refresh_ttl: TimeDelta,
}

impl std::fmt::Debug for FakeTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTokens")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish_non_exhaustive()
    }
}

impl FakeTokens {
    /// The contract's lifetimes: 15 minutes and 7 days.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_ttls(clock, TimeDelta::minutes(15), TimeDelta::days(7))
    }

    pub fn with_ttls(clock: Arc<dyn Clock>, access_ttl: TimeDelta, refresh_ttl: TimeDelta) -> Self {
        Self {
            clock,
            access_ttl,
            refresh_ttl,
        }
    }

    fn mint(&self, kind: TokenKind, user_id: UserId, family: Uuid) -> (SecretString, AccessClaims) {
        let ttl = match kind {
            TokenKind::Access => self.access_ttl,
            TokenKind::Refresh => self.refresh_ttl,
        };
        let claims = AccessClaims {
            user_id,
            jti: Uuid::new_v4(),
            family,
            expires_at: self.clock.now() + ttl,
        };
        let token = format!(
            "{}.{user_id}.{}.{family}.{}",
            kind_tag(kind),
            claims.jti,
            claims.expires_at.timestamp_millis()
        );
        (SecretString::from(token), claims)
    }
}

fn kind_tag(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Access => "fake-access",
        TokenKind::Refresh => "fake-refresh",
    }
}

impl TokenService for FakeTokens {
    fn issue(&self, user_id: UserId, family: Uuid) -> Result<TokenPair, TokenError> {
        let (access_token, access) = self.mint(TokenKind::Access, user_id, family);
        let (refresh_token, refresh) = self.mint(TokenKind::Refresh, user_id, family);
        Ok(TokenPair {
            access_token,
            refresh_token,
            access,
            refresh,
            expires_in: u64::try_from(self.access_ttl.num_seconds()).unwrap_or(0),
        })
    }

    fn verify(&self, token: &str, kind: TokenKind) -> Result<AccessClaims, TokenError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [tag, user, jti, family, expiry] = parts.as_slice() else {
            return Err(TokenError::Invalid);
        };
        if *tag != kind_tag(kind) {
            return Err(TokenError::Invalid);
        }
        let expires_at = expiry
            .parse()
            .ok()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .ok_or(TokenError::Invalid)?;
        if expires_at <= self.clock.now() {
            return Err(TokenError::Invalid);
        }
        Ok(AccessClaims {
            user_id: UserId::parse(user).map_err(|_| TokenError::Invalid)?,
            jti: jti.parse().map_err(|_| TokenError::Invalid)?,
            family: family.parse().map_err(|_| TokenError::Invalid)?,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests;
