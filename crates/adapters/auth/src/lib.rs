//! Credentials: bcrypt password hashing and HS256 JSON Web Tokens.
//!
//! [`BcryptHasher`] implements the domain's `PasswordHasher`, [`JwtTokenService`] its
//! `TokenService`. Both are built once at startup from validated settings.

mod password;
mod tokens;

pub use password::{BcryptHasher, CostError, PRODUCTION_MIN_COST, VALID_COSTS};
pub use tokens::{JwtConfig, JwtConfigError, JwtTokenService, MAX_LEEWAY, MIN_SECRET_BYTES};
