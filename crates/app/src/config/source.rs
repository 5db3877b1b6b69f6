//! Where configuration variables come from: the process environment first, then the
//! `.env` file; secrets from the variable or from the file its `_FILE` twin names.

use std::collections::HashMap;
use std::path::Path;

use secrecy::SecretString;

use super::{ConfigError, invalid};

/// Where variables come from: the process environment first, then `.env`.
#[derive(Debug, Default)]
pub struct Source {
    env: HashMap<String, String>,
    pub(super) dotenv: HashMap<String, String>,
}

impl Source {
    /// The real process environment plus `.env` in the working directory, if present.
    pub fn from_process(dotenv_path: &Path) -> Result<Self, ConfigError> {
        Ok(Self {
            env: std::env::vars().collect(),
            dotenv: read_dotenv(dotenv_path)?,
        })
    }

    /// A source from explicit pairs, for tests.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            env: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            dotenv: HashMap::new(),
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .or_else(|| self.dotenv.get(name))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A secret, given either in `name` or in the file `file_var` names (Compose and
    /// Kubernetes secrets are files), whose trailing newline is ignored; never both.
    pub(super) fn secret(
        &self,
        name: &'static str,
        file_var: &'static str,
    ) -> Result<Option<SecretString>, ConfigError> {
        match (self.get(name), self.get(file_var)) {
            (Some(_), Some(_)) => Err(invalid(
                name,
                format!("and {file_var} are both set; set only one"),
            )),
            (Some(value), None) => Ok(Some(SecretString::from(value))),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    invalid(file_var, format!("names a file that cannot be read: {e}"))
                })?;
                let value = text.trim_end_matches(['\n', '\r']);
                if value.trim().is_empty() {
                    return Err(invalid(file_var, "names an empty file"));
                }
                Ok(Some(SecretString::from(value)))
            }
            (None, None) => Ok(None),
        }
    }

    pub(super) fn or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_owned()
    }

    pub(super) fn parsed<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        self.get(name).map_or(Ok(default), |raw| {
            raw.parse()
                .map_err(|_| invalid(name, format!("has an unparsable value {raw:?}")))
        })
    }
}

/// The variables of the `.env` at `path` (none when there is no file), read by the
/// rules of [`crate::dotenv`], the scripts' rules too.
fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let variables = crate::dotenv::read(path).map_err(|e| invalid("(.env)", e.to_string()))?;
    Ok(variables.unwrap_or_default().into_iter().collect())
}
