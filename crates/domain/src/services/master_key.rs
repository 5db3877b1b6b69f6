//! The master-key check: a known constant sealed with the master key, stored beside
//! the secrets it protects. At start-up it is opened with the configured keys: if none
//! opens it, the secrets were sealed with a key this server does not have (a changed or
//! lost `APP_MASTER_KEY`), and the service refuses to start with a line saying so rather
//! than answering every chat with a 500. After a rotation it is sealed anew.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::ports::{CipherError, MasterKeyCheckStore, SecretCipher, SecretOwner, StoreError};

/// The sealed constant.
const CHECK_PLAINTEXT: &str = "polychat master key check v1";

/// How the configured keys relate to the stored secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MasterKeyState {
    /// The current key sealed them.
    Current,
    /// A previous key did: a rotation is under way (`polychat rotate-keys`).
    Previous,
}

/// Why the check failed.
#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error(
        "no configured master key opens the stored secrets: APP_MASTER_KEY is not the key they \
         were sealed with. Set APP_MASTER_KEY back to that key (or put it in \
         APP_MASTER_KEY_PREVIOUS and run `polychat rotate-keys`)"
    )]
    Mismatch,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("sealing the check value failed: {0}")]
    Cipher(#[source] anyhow::Error),
}

/// Checks and renews the master-key check value.
pub struct MasterKeyCheck {
    cipher: Arc<dyn SecretCipher>,
    store: Arc<dyn MasterKeyCheckStore>,
}

impl MasterKeyCheck {
    pub fn new(cipher: Arc<dyn SecretCipher>, store: Arc<dyn MasterKeyCheckStore>) -> Self {
        Self { cipher, store }
    }

    /// Opens the stored check value (recording one on first use).
    ///
    /// # Errors
    /// [`MasterKeyError::Mismatch`] when no configured key opens it.
    pub async fn verify(&self) -> Result<MasterKeyState, MasterKeyError> {
        let stored = self.store.record_if_absent(&self.seal()?).await?;
        match self.cipher.decrypt(SecretOwner::MasterKeyCheck, &stored) {
            Ok(opened) if opened.expose_secret() == CHECK_PLAINTEXT => {
                if self.cipher.needs_rotation(&stored) {
                    Ok(MasterKeyState::Previous)
                } else {
                    Ok(MasterKeyState::Current)
                }
            }
            Ok(_) | Err(CipherError::Undecryptable) => Err(MasterKeyError::Mismatch),
            Err(CipherError::Unknown(error)) => Err(MasterKeyError::Cipher(error)),
        }
    }

    /// Seals the check value under the current key (after a complete rotation).
    ///
    /// # Errors
    /// The store or the cipher failed.
    pub async fn renew(&self) -> Result<(), MasterKeyError> {
        Ok(self.store.replace(&self.seal()?).await?)
    }

    fn seal(&self) -> Result<String, MasterKeyError> {
        self.cipher
            .encrypt(
                SecretOwner::MasterKeyCheck,
                &SecretString::from(CHECK_PLAINTEXT),
            )
            .map_err(|error| MasterKeyError::Cipher(error.into()))
    }
}
