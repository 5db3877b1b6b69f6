//! The trusted-issuers section: tokens issued elsewhere (a Django back office, an
//! identity provider) that authenticate their users here, and the operator's
//! OpenRouter key that may answer for users without one.

use std::path::Path;

use polychat_auth::{IssuerConfig, load_issuers};
use secrecy::{ExposeSecret, SecretString};

use super::variable::{Fallback, Variable};
use super::{ConfigError, Source, invalid};

const TRUSTED_ISSUERS_FILE: Variable = Variable::optional(
    "TRUSTED_ISSUERS_FILE",
    "TOML file of trusted token issuers (see Users of another system); unset: only our own tokens",
);
const OPENROUTER_SERVICE_KEY: Variable = Variable::secret(
    "OPENROUTER_SERVICE_KEY",
    "OPENROUTER_SERVICE_KEY_FILE",
    Fallback::Unset,
    "an OpenRouter key answering for users without their own, if their issuer has `allow_service_key = true` (or they are local and `SERVICE_KEY_FOR_LOCAL_USERS` is true)",
);
const SERVICE_KEY_FOR_LOCAL_USERS: Variable = Variable::with_default(
    "SERVICE_KEY_FOR_LOCAL_USERS",
    "false",
    "`true` lets users registered here use `OPENROUTER_SERVICE_KEY` too",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &TRUSTED_ISSUERS_FILE,
    &OPENROUTER_SERVICE_KEY,
    &SERVICE_KEY_FOR_LOCAL_USERS,
];

/// The trusted issuers and the service key.
#[derive(Debug, Default)]
pub struct IssuersConfig {
    pub issuers: Vec<IssuerConfig>,
    pub service_key: Option<SecretString>,
    pub service_key_for_local_users: bool,
}

impl IssuersConfig {
    pub(super) fn load(source: &Source) -> Result<Self, ConfigError> {
        let issuers = match source.text(&TRUSTED_ISSUERS_FILE) {
            Some(path) => load_issuers(Path::new(path))
                .map_err(|error| invalid(TRUSTED_ISSUERS_FILE.name, error.to_string()))?,
            None => Vec::new(),
        };
        let service_key = source.secret(&OPENROUTER_SERVICE_KEY)?;
        let printable = |key: &SecretString| {
            let key = key.expose_secret();
            !key.is_empty() && key.chars().all(|c| c.is_ascii_graphic())
        };
        if service_key.as_ref().is_some_and(|key| !printable(key)) {
            return Err(invalid(
                OPENROUTER_SERVICE_KEY.name,
                "must be printable ASCII without spaces",
            ));
        }
        let service_key_for_local_users: bool = source.required(&SERVICE_KEY_FOR_LOCAL_USERS)?;
        if service_key_for_local_users && service_key.is_none() {
            return Err(invalid(
                SERVICE_KEY_FOR_LOCAL_USERS.name,
                "is true but OPENROUTER_SERVICE_KEY is not set",
            ));
        }
        Ok(Self {
            issuers,
            service_key,
            service_key_for_local_users,
        })
    }
}
