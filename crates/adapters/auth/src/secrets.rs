//! [`SigningSecrets`] from the operating system's random source.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use polychat_domain::ports::SigningSecrets;
use rand::RngCore as _;
use rand::rngs::OsRng;
use secrecy::SecretString;

const SIGNING_SECRET_BYTES: usize = 32;

/// Webhook signing secrets: `whsec_` and 32 random bytes, URL-safe base64.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomSigningSecrets;

impl SigningSecrets for RandomSigningSecrets {
    fn generate(&self) -> SecretString {
        let mut random = [0_u8; SIGNING_SECRET_BYTES];
        OsRng.fill_bytes(&mut random);
        SecretString::from(format!("whsec_{}", URL_SAFE_NO_PAD.encode(random)))
    }
}
