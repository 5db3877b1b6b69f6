//! Credentials: bcrypt password hashing, HS256 JSON Web Tokens and personal API keys.
//!
//! [`BcryptHasher`] implements the domain's `PasswordHasher`, [`JwtTokenService`] its
//! `TokenService`, [`Sha256ApiKeys`] its `ApiKeyMinter`. All are built once at startup
//! from validated settings.

mod api_keys;
mod password;
mod tokens;

pub use api_keys::{API_KEY_RANDOM_BYTES, Sha256ApiKeys};
pub use password::{BcryptHasher, CostError, PRODUCTION_MIN_COST, VALID_COSTS};
pub use tokens::{JwtConfig, JwtConfigError, JwtTokenService, MAX_LEEWAY, MIN_SECRET_BYTES};
