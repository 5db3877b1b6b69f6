//! [`SecretCipher`] with XChaCha20-Poly1305: secrets (users' API keys, custom models'
//! header values and signing secrets) sealed at rest and bound to their owner.
//!
//! Format: `v1:<key id>:<base64 nonce>:<base64 ciphertext+tag>`. The associated data is
//! the version, the key id and the owner's id, so a ciphertext copied into another
//! user's row, or relabelled with another key id, fails authentication.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use polychat_domain::ports::{CipherError, SecretCipher, SecretOwner};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};

use crate::keys::MasterKeys;

const VERSION: &str = "v1";
const NONCE_BYTES: usize = 24;

/// Seals and opens per-user secrets with the configured master keys.
#[derive(Debug)]
pub struct XChaChaCipher {
    keys: MasterKeys,
}

/// The parts of a stored ciphertext, before any cryptography.
struct Sealed<'a> {
    key_id: &'a str,
    nonce: XNonce,
    ciphertext: Vec<u8>,
}

impl XChaChaCipher {
    pub fn new(keys: MasterKeys) -> Self {
        Self { keys }
    }

    /// Re-seals `ciphertext` with the current key when it was sealed with an older one;
    /// `None` when it is already current. For the re-encrypt command after a rotation.
    ///
    /// # Errors
    /// [`CipherError::Undecryptable`] when the old ciphertext cannot be opened.
    pub fn rotate(
        &self,
        owner: SecretOwner<'_>,
        ciphertext: &str,
    ) -> Result<Option<String>, CipherError> {
        if !self.needs_rotation(ciphertext) {
            return Ok(None);
        }
        let plaintext = self.decrypt(owner, ciphertext)?;
        self.encrypt(owner, &plaintext).map(Some)
    }
}

fn associated_data(key_id: &str, owner: SecretOwner<'_>) -> Vec<u8> {
    format!("{VERSION}:{key_id}:{owner}").into_bytes()
}

fn parse(ciphertext: &str) -> Option<Sealed<'_>> {
    let mut parts = ciphertext.split(':');
    let (version, key_id, nonce, body) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if version != VERSION || parts.next().is_some() || key_id.is_empty() {
        return None;
    }
    let nonce = STANDARD.decode(nonce).ok()?;
    if nonce.len() != NONCE_BYTES {
        return None;
    }
    Some(Sealed {
        key_id,
        nonce: *XNonce::from_slice(&nonce),
        ciphertext: STANDARD.decode(body).ok()?,
    })
}

impl SecretCipher for XChaChaCipher {
    fn encrypt(
        &self,
        owner: SecretOwner<'_>,
        plaintext: &SecretString,
    ) -> Result<String, CipherError> {
        let key = self.keys.current();
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = associated_data(key.id(), owner);
        let sealed = key
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.expose_secret().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| CipherError::Unknown(anyhow::anyhow!("encryption failed")))?;
        Ok(format!(
            "{VERSION}:{}:{}:{}",
            key.id(),
            STANDARD.encode(nonce),
            STANDARD.encode(sealed)
        ))
    }

    fn decrypt(
        &self,
        owner: SecretOwner<'_>,
        ciphertext: &str,
    ) -> Result<SecretString, CipherError> {
        let sealed = parse(ciphertext).ok_or(CipherError::Undecryptable)?;
        let key = self
            .keys
            .find(sealed.key_id)
            .ok_or(CipherError::Undecryptable)?;
        let aad = associated_data(sealed.key_id, owner);
        let plaintext = key
            .cipher()
            .decrypt(
                &sealed.nonce,
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CipherError::Undecryptable)?;
        match String::from_utf8(plaintext) {
            Ok(text) => Ok(SecretString::from(text)),
            Err(err) => {
                // Authentic but not text cannot come from `encrypt`; wipe it all the same.
                err.into_bytes().zeroize();
                Err(CipherError::Undecryptable)
            }
        }
    }

    /// True for anything not sealed with the current key, malformed input included,
    /// so a re-encrypt pass surfaces every row it cannot bring up to date.
    fn needs_rotation(&self, ciphertext: &str) -> bool {
        parse(ciphertext).is_none_or(|sealed| sealed.key_id != self.keys.current_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polychat_domain::{CustomModelId, UserId};

    fn keys(current: u8, previous: &[u8]) -> MasterKeys {
        let encode = |byte: u8| STANDARD.encode([byte; 32]);
        let previous: Vec<String> = previous.iter().map(|&b| encode(b)).collect();
        MasterKeys::parse(
            &SecretString::from(encode(current)),
            Some(&SecretString::from(previous.join(","))),
        )
        .unwrap()
    }

    fn secret() -> SecretString {
        SecretString::from("sk-or-v1-0123456789abcdef")
    }

    fn open(
        cipher: &XChaChaCipher,
        owner: SecretOwner<'_>,
        sealed: &str,
    ) -> Result<String, CipherError> {
        cipher
            .decrypt(owner, sealed)
            .map(|s| s.expose_secret().to_owned())
    }

    #[test]
    fn round_trip_in_the_documented_format() {
        let cipher = XChaChaCipher::new(keys(1, &[]));
        let owner = SecretOwner::User(UserId::generate());
        let sealed = cipher.encrypt(owner, &secret()).unwrap();
        let parts: Vec<&str> = sealed.split(':').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], "v1");
        assert_eq!(parts[1], cipher.keys.current_id());
        assert_eq!(STANDARD.decode(parts[2]).unwrap().len(), NONCE_BYTES);
        assert!(!sealed.contains("sk-or"));
        assert_eq!(
            open(&cipher, owner, &sealed).unwrap(),
            secret().expose_secret()
        );
        assert!(!cipher.needs_rotation(&sealed));
    }

    #[test]
    fn same_plaintext_twice_gives_different_ciphertexts() {
        let cipher = XChaChaCipher::new(keys(1, &[]));
        let owner = SecretOwner::User(UserId::generate());
        let first = cipher.encrypt(owner, &secret()).unwrap();
        let second = cipher.encrypt(owner, &secret()).unwrap();
        assert_ne!(first, second);
        assert_ne!(first.split(':').nth(2), second.split(':').nth(2));
    }

    #[test]
    fn another_users_id_cannot_open_it() {
        let cipher = XChaChaCipher::new(keys(1, &[]));
        let sealed = cipher
            .encrypt(SecretOwner::User(UserId::generate()), &secret())
            .unwrap();
        let err = cipher
            .decrypt(SecretOwner::User(UserId::generate()), &sealed)
            .unwrap_err();
        assert!(matches!(err, CipherError::Undecryptable));
    }

    #[test]
    fn a_model_header_opens_only_for_its_model_and_name() {
        let cipher = XChaChaCipher::new(keys(1, &[]));
        let model = CustomModelId::generate();
        let sealed = cipher
            .encrypt(SecretOwner::ModelHeader(model, "Authorization"), &secret())
            .unwrap();
        let opens = |owner| cipher.decrypt(owner, &sealed).is_ok();
        assert!(opens(SecretOwner::ModelHeader(model, "Authorization")));
        assert!(!opens(SecretOwner::ModelHeader(model, "X-Other")));
        assert!(!opens(SecretOwner::ModelHeader(
            CustomModelId::generate(),
            "Authorization"
        )));
        assert!(!opens(SecretOwner::ModelSigning(model)));
    }

    #[test]
    fn tampering_with_any_part_is_refused() {
        let cipher = XChaChaCipher::new(keys(1, &[2]));
        let owner = SecretOwner::User(UserId::generate());
        let sealed = cipher.encrypt(owner, &secret()).unwrap();
        let parts: Vec<&str> = sealed.split(':').collect();
        let flip = |encoded: &str| {
            let mut bytes = STANDARD.decode(encoded).unwrap();
            bytes[3] ^= 0x01;
            STANDARD.encode(bytes)
        };
        let other_key_id = keys(2, &[]).current_id().to_owned();
        let tampered = [
            format!("{}:{}:{}:{}", parts[0], parts[1], parts[2], flip(parts[3])),
            format!("{}:{}:{}:{}", parts[0], parts[1], flip(parts[2]), parts[3]),
            format!("{}:{other_key_id}:{}:{}", parts[0], parts[2], parts[3]),
            format!("{}:ffffffff:{}:{}", parts[0], parts[2], parts[3]),
            format!("v2:{}:{}:{}", parts[1], parts[2], parts[3]),
            format!("{sealed}:extra"),
            sealed[..sealed.len() - 4].to_owned(),
            String::new(),
            "v1:::".to_owned(),
        ];
        for candidate in tampered {
            assert!(
                matches!(
                    cipher.decrypt(owner, &candidate),
                    Err(CipherError::Undecryptable)
                ),
                "accepted {candidate}"
            );
        }
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable_and_reseals_them() {
        let owner = SecretOwner::User(UserId::generate());
        let before = XChaChaCipher::new(keys(1, &[]));
        let old = before.encrypt(owner, &secret()).unwrap();

        let after = XChaChaCipher::new(keys(2, &[1]));
        assert!(after.needs_rotation(&old));
        assert_eq!(open(&after, owner, &old).unwrap(), secret().expose_secret());
        let resealed = after.rotate(owner, &old).unwrap().unwrap();
        assert!(!after.needs_rotation(&resealed));
        assert!(after.rotate(owner, &resealed).unwrap().is_none());
        assert_eq!(
            open(&after, owner, &resealed).unwrap(),
            secret().expose_secret()
        );

        // Once the old key is dropped from the configuration, its ciphertexts are dead.
        let forgotten = XChaChaCipher::new(keys(2, &[]));
        assert!(matches!(
            forgotten.decrypt(owner, &old),
            Err(CipherError::Undecryptable)
        ));
        assert!(forgotten.needs_rotation("garbage"));
    }
}
