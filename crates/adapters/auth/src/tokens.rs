//! [`TokenService`] with HS256 JSON Web Tokens, following RFC 8725: one pinned
//! algorithm, every claim required, access and refresh tokens told apart by both
//! audience and type so that one can never stand for the other.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use polychat_domain::UserId;
use polychat_domain::ports::{AccessClaims, TokenError, TokenKind, TokenPair, TokenService};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The only algorithm issued or accepted.
const ALGORITHM: Algorithm = Algorithm::HS256;
/// An HMAC key shorter than the hash output weakens HS256 (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;
/// RFC 8725 asks for a small clock skew allowance.
pub const MAX_LEEWAY: Duration = Duration::from_secs(30);

/// Settings of [`JwtTokenService`].
#[derive(Clone)]
pub struct JwtConfig {
    /// `JWT_SECRET`: at least [`MIN_SECRET_BYTES`] bytes.
    pub secret: SecretString,
    pub issuer: String,
    pub access_audience: String,
    pub refresh_audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub leeway: Duration,
}

impl JwtConfig {
    /// The contract's lifetimes (15 minutes / 7 days), 30 s leeway, `polychat` names.
    pub fn new(secret: SecretString) -> Self {
        Self {
            secret,
            issuer: "polychat".to_owned(),
            access_audience: "polychat-api".to_owned(),
            refresh_audience: "polychat-refresh".to_owned(),
            access_ttl: Duration::from_mins(15),
            refresh_ttl: Duration::from_hours(7 * 24),
            leeway: MAX_LEEWAY,
        }
    }
}

impl fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtConfig")
            .field("issuer", &self.issuer)
            .field("access_audience", &self.access_audience)
            .field("refresh_audience", &self.refresh_audience)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

/// A [`JwtConfig`] that would make tokens unsafe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtConfigError {
    #[error("JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    SecretTooShort,
    #[error("JWT leeway must be at most 30 seconds")]
    LeewayTooLong,
    #[error("JWT token lifetimes must be at least one second")]
    ZeroLifetime,
    #[error("JWT access and refresh audiences must differ")]
    SameAudience,
}

/// The `typ` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum TokenType {
    Access,
    Refresh,
}

/// The payload. Every field but `nbf` is required, so a token missing one (or with a
/// wrongly typed one, such as a string `exp`) fails to deserialise and is refused.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
    jti: Uuid,
    fam: Uuid,
    typ: TokenType,
}

/// Issues and verifies the service's access and refresh tokens.
pub struct JwtTokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    access: Validation,
    refresh: Validation,
    config: JwtConfig,
}

impl fmt::Debug for JwtTokenService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtTokenService")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl JwtTokenService {
    /// # Errors
    /// A secret that is too short, a leeway over 30 s, a zero lifetime, or one audience
    /// used for both kinds.
    pub fn new(config: JwtConfig) -> Result<Self, JwtConfigError> {
        let secret = config.secret.expose_secret().as_bytes();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(JwtConfigError::SecretTooShort);
        }
        if config.leeway > MAX_LEEWAY {
            return Err(JwtConfigError::LeewayTooLong);
        }
        if config.access_ttl.as_secs() == 0 || config.refresh_ttl.as_secs() == 0 {
            return Err(JwtConfigError::ZeroLifetime);
        }
        if config.access_audience == config.refresh_audience {
            return Err(JwtConfigError::SameAudience);
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access: validation(&config, &config.access_audience),
            refresh: validation(&config, &config.refresh_audience),
            config,
        })
    }

    fn sign(&self, claims: &Claims) -> Result<SecretString, TokenError> {
        jsonwebtoken::encode(&Header::new(ALGORITHM), claims, &self.encoding)
            .map(SecretString::from)
            .map_err(|err| TokenError::Unknown(err.into()))
    }

    fn claims(
        &self,
        user_id: UserId,
        family: Uuid,
        typ: TokenType,
        now: u64,
    ) -> Result<(Claims, AccessClaims), TokenError> {
        let (audience, ttl) = match typ {
            TokenType::Access => (&self.config.access_audience, self.config.access_ttl),
            TokenType::Refresh => (&self.config.refresh_audience, self.config.refresh_ttl),
        };
        let exp = now.saturating_add(ttl.as_secs());
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.config.issuer.clone(),
            aud: audience.clone(),
            exp,
            iat: now,
            nbf: None,
            jti: Uuid::new_v4(),
            fam: family,
            typ,
        };
        let summary = AccessClaims {
            user_id,
            jti: claims.jti,
            family,
            expires_at: timestamp(exp)?,
        };
        Ok((claims, summary))
    }
}

impl JwtTokenService {
    /// What a failed check tells the caller. The library checks the signature before
    /// the claims, so "expired" and "wrong kind" are only ever said of a token this
    /// service signed; everything else about a bad token is "invalid".
    fn refusal(&self, token: &str, kind: TokenKind, error: &ErrorKind) -> TokenError {
        match error {
            ErrorKind::InvalidToken
            | ErrorKind::Base64(_)
            | ErrorKind::Json(_)
            | ErrorKind::Utf8(_) => TokenError::Malformed,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::InvalidAudience => {
                let other = match kind {
                    TokenKind::Access => &self.refresh,
                    TokenKind::Refresh => &self.access,
                };
                match jsonwebtoken::decode::<Claims>(token, &self.decoding, other) {
                    Ok(_) => TokenError::WrongKind,
                    Err(_) => TokenError::Invalid,
                }
            }
            _ => TokenError::Invalid,
        }
    }
}

fn validation(config: &JwtConfig, audience: &str) -> Validation {
    let mut validation = Validation::new(ALGORITHM);
    validation.leeway = config.leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_audience(&[audience]);
    validation.set_issuer(&[&config.issuer]);
    // The library checks presence of exp/sub/iss/aud; iat and jti (and our fam/typ)
    // are enforced by `Claims` having no default for them.
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud", "jti"]);
    validation
}

fn timestamp(seconds: u64) -> Result<DateTime<Utc>, TokenError> {
    i64::try_from(seconds)
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or(TokenError::Invalid)
}

fn now_seconds() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

impl TokenService for JwtTokenService {
    fn issue(&self, user_id: UserId, family: Uuid) -> Result<TokenPair, TokenError> {
        let now = now_seconds();
        let (access_claims, access) = self.claims(user_id, family, TokenType::Access, now)?;
        let (refresh_claims, refresh) = self.claims(user_id, family, TokenType::Refresh, now)?;
        Ok(TokenPair {
            access_token: self.sign(&access_claims)?,
            refresh_token: self.sign(&refresh_claims)?,
            access,
            refresh,
            expires_in: self.config.access_ttl.as_secs(),
        })
    }

    fn verify(&self, token: &str, kind: TokenKind) -> Result<AccessClaims, TokenError> {
        let (validation, expected) = match kind {
            TokenKind::Access => (&self.access, TokenType::Access),
            TokenKind::Refresh => (&self.refresh, TokenType::Refresh),
        };
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, validation)
            .map_err(|error| self.refusal(token, kind, error.kind()))?
            .claims;
        // A token "issued" in the future was not issued by this clock.
        let issued_in_future = claims.iat > now_seconds().saturating_add(validation.leeway);
        if issued_in_future {
            return Err(TokenError::Invalid);
        }
        if claims.typ != expected {
            return Err(TokenError::WrongKind);
        }
        let user_id = UserId::parse(&claims.sub).map_err(|_| TokenError::Invalid)?;
        Ok(AccessClaims {
            user_id,
            jti: claims.jti,
            family: claims.fam,
            expires_at: timestamp(claims.exp)?,
        })
    }
}

#[cfg(test)]
mod tests;
