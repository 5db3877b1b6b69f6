//! Why a bearer credential was refused, in words its holder can act on.

use std::fmt;

use super::{AuthError, unknown};
use crate::ports::TokenError;

/// Why a bearer credential was refused. Each reason is one the holder of the credential
/// can act on; none says whether a user or key exists (an unknown key and a forged
/// token are both [`Refusal::Unrecognized`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No credential was sent.
    Missing,
    /// What was sent does not have the form of an access token or API key.
    Malformed,
    /// Well-formed, but not one this service issued (forged, unknown or deleted).
    Unrecognized,
    /// Issued here, but past its expiry.
    Expired,
    /// Issued here, but logged out, rotated away or revoked.
    Revoked,
    /// A refresh token where an access token is needed, or the other way round.
    WrongKind,
    /// Signed by a trusted issuer, but its claims are not what that issuer's
    /// configuration asks for (subject missing or not a string or number, `token_type`).
    Unacceptable,
}

impl Refusal {
    /// What the caller is told.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Missing => {
                "no credential was sent: `Authorization: Bearer <access token or API key>` (or, to refresh, the refresh token)"
            }
            Self::Malformed => "the bearer credential is not an access token or API key",
            Self::Unrecognized => "the bearer credential is not valid; log in again",
            Self::Expired => "the credential has expired; refresh it or log in again",
            Self::Revoked => "the credential was revoked (logged out or rotated); log in again",
            Self::WrongKind => {
                "this is a refresh token; send the access token (or an API key) instead"
            }
            Self::Unacceptable => {
                "the token's claims are not acceptable (subject or token type); send an access token of a trusted issuer"
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.explanation())
    }
}

impl From<TokenError> for AuthError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Malformed => Self::Unauthorized(Refusal::Malformed),
            TokenError::Invalid => Self::Unauthorized(Refusal::Unrecognized),
            TokenError::Expired => Self::Unauthorized(Refusal::Expired),
            TokenError::WrongKind => Self::Unauthorized(Refusal::WrongKind),
            TokenError::Unknown(cause) => unknown(cause),
        }
    }
}
