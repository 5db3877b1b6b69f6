//! Master keys: parsing and validating them from configuration, and naming each one.
//!
//! Every key gets a short id derived from the key itself, so `APP_MASTER_KEY` alone is a
//! complete configuration and rotating means: move the old value to
//! `APP_MASTER_KEY_PREVIOUS`, put a new one in `APP_MASTER_KEY`, re-encrypt at leisure.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Length of a master key in bytes (256 bits, what XChaCha20-Poly1305 takes).
pub const MASTER_KEY_BYTES: usize = 32;

/// Hex characters of the derived key id; 32 bits tell a handful of keys apart, and a
/// clash between configured keys is refused at startup.
const KEY_ID_HEX_CHARS: usize = 8;

/// Domain separation, so the id is not a plain hash of the key that some other
/// system might also publish.
const KEY_ID_CONTEXT: &[u8] = b"polychat master key id v1\0";

/// A master key was missing, malformed or repeated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {}", self.variable(), self.problem())]
pub enum KeyError {
    NotBase64 { which: &'static str },
    WrongLength { which: &'static str, got: usize },
    Duplicate { which: &'static str },
}

impl KeyError {
    /// The configuration variable holding the bad key.
    #[must_use]
    pub fn variable(&self) -> &'static str {
        match self {
            Self::NotBase64 { which }
            | Self::WrongLength { which, .. }
            | Self::Duplicate { which } => which,
        }
    }

    /// What is wrong with it.
    #[must_use]
    pub fn problem(&self) -> String {
        match self {
            Self::NotBase64 { .. } => "is not valid base64".to_owned(),
            Self::WrongLength { got, .. } => {
                format!("must decode to exactly {MASTER_KEY_BYTES} bytes, got {got}")
            }
            Self::Duplicate { .. } => "repeats a key that is already configured".to_owned(),
        }
    }
}

/// One master key with its id. Its `Debug` shows the id only.
pub(crate) struct MasterKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl MasterKey {
    fn from_base64(which: &'static str, encoded: &str) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(encoded.trim())
                .map_err(|_| KeyError::NotBase64 { which })?,
        );
        if bytes.len() != MASTER_KEY_BYTES {
            return Err(KeyError::WrongLength {
                which,
                got: bytes.len(),
            });
        }
        let cipher =
            XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| KeyError::WrongLength {
                which,
                got: bytes.len(),
            })?;
        Ok(Self {
            id: key_id(&bytes),
            cipher,
        })
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn cipher(&self) -> &XChaCha20Poly1305 {
        &self.cipher
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn key_id(key: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::new()
        .chain_update(KEY_ID_CONTEXT)
        .chain_update(key)
        .finalize();
    digest
        .iter()
        .take(KEY_ID_HEX_CHARS / 2)
        .flat_map(|byte| [byte >> 4, byte & 0x0f])
        .map(|nibble| char::from(HEX[usize::from(nibble)]))
        .collect()
}

/// The current master key, which seals everything new, and the previous ones, which
/// still open what they sealed.
#[derive(Debug)]
pub struct MasterKeys {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl MasterKeys {
    /// Parses the current key and the previous ones, each the base64 of 32 bytes.
    ///
    /// `previous` is the raw value of `APP_MASTER_KEY_PREVIOUS`: keys separated by commas
    /// or whitespace; empty or `None` when there is nothing to rotate from.
    ///
    /// # Errors
    /// A key that is not base64, not 32 bytes, or configured twice.
    pub fn parse(
        current: &SecretString,
        previous: Option<&SecretString>,
    ) -> Result<Self, KeyError> {
        let current = MasterKey::from_base64("APP_MASTER_KEY", current.expose_secret())?;
        let mut keys = Self {
            current,
            previous: Vec::new(),
        };
        let encoded_previous = previous.map_or("", |value| value.expose_secret());
        for encoded in encoded_previous
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
        {
            let key = MasterKey::from_base64("APP_MASTER_KEY_PREVIOUS", encoded)?;
            if keys.find(key.id()).is_some() {
                return Err(KeyError::Duplicate {
                    which: "APP_MASTER_KEY_PREVIOUS",
                });
            }
            keys.previous.push(key);
        }
        Ok(keys)
    }

    /// The id written into every new ciphertext.
    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    pub(crate) fn current(&self) -> &MasterKey {
        &self.current
    }

    pub(crate) fn find(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(byte: u8, len: usize) -> SecretString {
        SecretString::from(STANDARD.encode(vec![byte; len]))
    }

    #[test]
    fn accepts_exactly_32_bytes() {
        let keys = MasterKeys::parse(&encoded(7, 32), None).unwrap();
        assert_eq!(keys.current_id().len(), KEY_ID_HEX_CHARS);
        assert!(keys.current_id().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn rejects_wrong_lengths_and_garbage() {
        for len in [0, 16, 31, 33, 64] {
            let err = MasterKeys::parse(&encoded(7, len), None).unwrap_err();
            assert_eq!(
                err,
                KeyError::WrongLength {
                    which: "APP_MASTER_KEY",
                    got: len
                }
            );
        }
        let err = MasterKeys::parse(&SecretString::from("not base64!"), None).unwrap_err();
        assert_eq!(
            err,
            KeyError::NotBase64 {
                which: "APP_MASTER_KEY"
            }
        );
        let bad_previous = SecretString::from(format!(
            "{},{}",
            encoded(1, 32).expose_secret(),
            encoded(2, 31).expose_secret()
        ));
        let err = MasterKeys::parse(&encoded(7, 32), Some(&bad_previous)).unwrap_err();
        assert!(matches!(
            err,
            KeyError::WrongLength {
                which: "APP_MASTER_KEY_PREVIOUS",
                got: 31
            }
        ));
    }

    #[test]
    fn previous_keys_are_found_by_id_and_duplicates_refused() {
        let previous = SecretString::from(format!(
            " {}, {}\n",
            encoded(1, 32).expose_secret(),
            encoded(2, 32).expose_secret()
        ));
        let keys = MasterKeys::parse(&encoded(7, 32), Some(&previous)).unwrap();
        let old = MasterKeys::parse(&encoded(2, 32), None).unwrap();
        assert!(keys.find(old.current_id()).is_some());
        assert_ne!(keys.current_id(), old.current_id());
        assert!(keys.find("00000000").is_none());

        let err = MasterKeys::parse(&encoded(7, 32), Some(&encoded(7, 32))).unwrap_err();
        assert!(matches!(err, KeyError::Duplicate { .. }));
    }

    #[test]
    fn debug_never_prints_key_material() {
        let secret = encoded(9, 32);
        let keys = MasterKeys::parse(&secret, None).unwrap();
        let shown = format!("{keys:?}");
        assert!(shown.contains(keys.current_id()));
        assert!(!shown.contains(secret.expose_secret()));
    }
}
