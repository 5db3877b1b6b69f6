//! Credentials: bcrypt password hashing, HS256 JSON Web Tokens, personal API keys and
//! webhook signing secrets.
//!
//! [`BcryptHasher`] implements the domain's `PasswordHasher`, [`JwtTokenService`] its
//! `TokenService`, [`Sha256ApiKeys`] its `ApiKeyMinter`, [`RandomSigningSecrets`] its
//! `SigningSecrets`, [`TrustedIssuers`] its `ExternalTokenVerifier` (tokens issued
//! elsewhere, configured by the issuers file). All are built once at startup
//! from validated settings.

mod api_keys;
mod issuers;
mod password;
mod secrets;
mod tokens;

pub use api_keys::{API_KEY_RANDOM_BYTES, Sha256ApiKeys};
pub use issuers::{
    DEFAULT_JWKS_MAX_AGE, DEFAULT_JWKS_MIN_REFRESH, DEFAULT_SUBJECT_CLAIM, IssuerConfig,
    IssuersFileError, KeySource, TrustedIssuers, load_issuers, parse_issuers,
};
pub use password::{BcryptHasher, CostError, PRODUCTION_MIN_COST, VALID_COSTS};
pub use secrets::RandomSigningSecrets;
pub use tokens::{JwtConfig, JwtConfigError, JwtTokenService, MAX_LEEWAY, MIN_SECRET_BYTES};
