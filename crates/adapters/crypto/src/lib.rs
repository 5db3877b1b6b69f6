//! Encryption of users' third-party secrets (their OpenRouter keys) at rest.
//!
//! [`MasterKeys`] parses `APP_MASTER_KEY` (and `APP_MASTER_KEY_PREVIOUS` for rotation);
//! [`XChaChaCipher`] implements the domain's `SecretCipher` with XChaCha20-Poly1305.

mod cipher;
mod keys;

pub use cipher::XChaChaCipher;
pub use keys::{KeyError, MASTER_KEY_BYTES, MasterKeys};
