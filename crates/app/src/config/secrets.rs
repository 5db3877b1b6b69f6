//! The secrets section: the master key that seals stored secrets and the key that
//! signs tokens.

use polychat_auth::MIN_SECRET_BYTES;
use polychat_crypto::MasterKeys;
use secrecy::{ExposeSecret, SecretString};

use super::variable::{Fallback, Variable};
use super::{ConfigError, Source, invalid};

const APP_MASTER_KEY: Variable = Variable::secret(
    "APP_MASTER_KEY",
    "APP_MASTER_KEY_FILE",
    Fallback::Described("generated into `.env`"),
    "base64 of 32 random bytes; seals stored API keys and webhook secrets",
);
const APP_MASTER_KEY_PREVIOUS: Variable = Variable::secret(
    "APP_MASTER_KEY_PREVIOUS",
    "APP_MASTER_KEY_PREVIOUS_FILE",
    Fallback::Unset,
    "earlier master keys, comma-separated, still opening what they sealed during a rotation (`polychat rotate-keys`)",
);
const JWT_SECRET: Variable = Variable::secret(
    "JWT_SECRET",
    "JWT_SECRET_FILE",
    Fallback::Described("generated into `.env`"),
    "signs the access and refresh tokens; at least 32 bytes",
);

pub(super) const VARIABLES: &[&Variable] =
    &[&APP_MASTER_KEY, &APP_MASTER_KEY_PREVIOUS, &JWT_SECRET];

/// The service's own secrets.
#[derive(Debug)]
pub struct SecretsConfig {
    pub master_key: SecretString,
    /// Earlier master keys (comma-separated), still accepted for decryption until
    /// `polychat rotate-keys` has re-encrypted everything.
    pub previous_master_keys: Option<SecretString>,
    pub jwt_secret: SecretString,
}

impl SecretsConfig {
    pub(super) fn load(source: &Source) -> Result<Self, ConfigError> {
        let master_key = source.secret(&APP_MASTER_KEY)?.ok_or_else(|| {
            invalid(
                APP_MASTER_KEY.name,
                "is missing (run `make services` to generate .env, or set APP_MASTER_KEY_FILE)",
            )
        })?;
        let previous_master_keys = source.secret(&APP_MASTER_KEY_PREVIOUS)?;
        MasterKeys::parse(&master_key, previous_master_keys.as_ref())
            .map_err(|error| invalid(error.variable(), error.problem()))?;
        let jwt_secret = source.secret(&JWT_SECRET)?.ok_or_else(|| {
            invalid(
                JWT_SECRET.name,
                "is missing (run `make services` to generate .env, or set JWT_SECRET_FILE)",
            )
        })?;
        if jwt_secret.expose_secret().len() < MIN_SECRET_BYTES {
            return Err(invalid(
                JWT_SECRET.name,
                format!("must be at least {MIN_SECRET_BYTES} bytes"),
            ));
        }
        Ok(Self {
            master_key,
            previous_master_keys,
            jwt_secret,
        })
    }
}
