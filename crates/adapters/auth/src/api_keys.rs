//! [`ApiKeyMinter`] for personal API keys: `pc_` followed by 32 bytes from the
//! operating system's CSPRNG in URL-safe base64 without padding (43 characters), stored
//! as their SHA-256 digest.
//!
//! Why a plain, fast, unsalted hash and not bcrypt or Argon2: those exist to make
//! guessing low-entropy passwords expensive. A key carries 256 random bits, so there is
//! nothing to guess, and a preimage of SHA-256 is out of reach; salting would only stop
//! the lookup by hash that lets every request find its key with one indexed query
//! (a slow hash there would cost a quarter second per request). A leaked table of
//! digests gives away no key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use polychat_domain::ApiKeyHash;
use polychat_domain::api_key::API_KEY_MARKER;
use polychat_domain::ports::{ApiKeyMinter, MintedKey};
use rand::RngCore as _;
use rand::rngs::OsRng;
use secrecy::SecretString;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Random bytes in a key: 256 bits.
pub const API_KEY_RANDOM_BYTES: usize = 32;

/// Mints keys from the OS's random source and hashes them with SHA-256.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sha256ApiKeys;

impl ApiKeyMinter for Sha256ApiKeys {
    fn mint(&self) -> MintedKey {
        let mut random = [0_u8; API_KEY_RANDOM_BYTES];
        OsRng.fill_bytes(&mut random);
        let secret = format!("{API_KEY_MARKER}{}", URL_SAFE_NO_PAD.encode(random));
        MintedKey {
            hash: self.hash(&secret),
            secret: SecretString::from(secret),
        }
    }

    fn hash(&self, presented: &str) -> ApiKeyHash {
        ApiKeyHash::new(Sha256::digest(presented.as_bytes()).to_vec())
    }

    fn verify(&self, presented: &str, stored: &ApiKeyHash) -> bool {
        let presented = Sha256::digest(presented.as_bytes());
        presented.as_slice().ct_eq(stored.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn keys_are_pc_and_43_url_safe_characters_of_fresh_randomness() {
        let minter = Sha256ApiKeys;
        let mut seen = HashSet::new();
        for _ in 0..100 {
            let fresh = minter.mint();
            let key = fresh.secret.expose_secret();
            let body = key.strip_prefix("pc_").expect("marker");
            assert_eq!(body.len(), 43);
            assert!(
                body.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            assert_eq!(URL_SAFE_NO_PAD.decode(body).expect("base64").len(), 32);
            assert!(seen.insert(key.to_owned()), "no key twice");
            assert_eq!(fresh.hash, minter.hash(key));
        }
    }

    #[test]
    fn the_hash_is_sha256_and_verification_needs_the_exact_key() {
        let minter = Sha256ApiKeys;
        let hash = minter.hash("abc");
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(
            hash.as_bytes()[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "known answer"
        );
        assert!(minter.verify("abc", &hash));
        assert!(!minter.verify("abd", &hash));
        assert!(!minter.verify("abc", &ApiKeyHash::new(vec![0; 31])));
    }
}
