//! Where configuration variables come from: the process environment first, then the
//! `.env` file; secrets from the variable or from the file its `_FILE` twin names.
//! Every read names a declared [`Variable`], and the source notes which were read.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;

use secrecy::SecretString;

use super::variable::{Fallback, Variable};
use super::{ConfigError, invalid};

/// Where variables come from: the process environment first, then `.env`.
#[derive(Debug, Default)]
pub struct Source {
    env: HashMap<String, String>,
    pub(super) dotenv: HashMap<String, String>,
    /// The names looked up so far, the `_FILE` twins included.
    read: RefCell<BTreeSet<&'static str>>,
}

impl Source {
    /// The real process environment plus `.env` in the working directory, if present.
    pub fn from_process(dotenv_path: &Path) -> Result<Self, ConfigError> {
        Ok(Self {
            env: std::env::vars().collect(),
            dotenv: read_dotenv(dotenv_path)?,
            read: RefCell::default(),
        })
    }

    /// A source from explicit pairs, for tests.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            env: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ..Self::default()
        }
    }

    /// The names looked up so far.
    #[cfg(test)]
    pub(super) fn names_read(&self) -> BTreeSet<&'static str> {
        self.read.borrow().clone()
    }

    /// The value set for `name`, blank counting as unset.
    fn lookup(&self, name: &'static str) -> Option<&str> {
        self.read.borrow_mut().insert(name);
        self.env
            .get(name)
            .or_else(|| self.dotenv.get(name))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The text of `variable`: as set, else its default value.
    pub(super) fn text(&self, variable: &'static Variable) -> Option<&str> {
        self.lookup(variable.name).or(match variable.default {
            Fallback::Value(value) if !value.is_empty() => Some(value),
            _ => None,
        })
    }

    /// The text of `variable`, which must have one.
    pub(super) fn required_text(&self, variable: &'static Variable) -> Result<String, ConfigError> {
        self.text(variable)
            .map(str::to_owned)
            .ok_or_else(|| invalid(variable.name, "is missing"))
    }

    /// `variable` parsed, or `None` when it has no text.
    pub(super) fn optional<T: FromStr>(
        &self,
        variable: &'static Variable,
    ) -> Result<Option<T>, ConfigError> {
        self.text(variable)
            .map(|raw| {
                raw.parse()
                    .map_err(|_| invalid(variable.name, format!("has an unparsable value {raw:?}")))
            })
            .transpose()
    }

    /// `variable` parsed; it must have a text.
    pub(super) fn required<T: FromStr>(
        &self,
        variable: &'static Variable,
    ) -> Result<T, ConfigError> {
        self.optional(variable)?
            .ok_or_else(|| invalid(variable.name, "is missing"))
    }

    /// A secret, given either in the variable or in the file its twin names, whose
    /// trailing newline is ignored; never both.
    pub(super) fn secret(
        &self,
        variable: &'static Variable,
    ) -> Result<Option<SecretString>, ConfigError> {
        let name = variable.name;
        let file_twin = variable.file.map(|file| (file, self.lookup(file)));
        match (self.lookup(name), file_twin) {
            (Some(_), Some((file, Some(_)))) => Err(invalid(
                name,
                format!("and {file} are both set; set only one"),
            )),
            (Some(value), _) => Ok(Some(SecretString::from(value))),
            (None, Some((file, Some(path)))) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| invalid(file, format!("names a file that cannot be read: {e}")))?;
                let value = text.trim_end_matches(['\n', '\r']);
                if value.trim().is_empty() {
                    return Err(invalid(file, "names an empty file"));
                }
                Ok(Some(SecretString::from(value)))
            }
            (None, _) => Ok(None),
        }
    }
}

/// The variables of the `.env` at `path` (none when there is no file), read by the
/// rules of [`crate::dotenv`], the scripts' rules too.
fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let variables = crate::dotenv::read(path).map_err(|e| invalid("(.env)", e.to_string()))?;
    Ok(variables.unwrap_or_default().into_iter().collect())
}
