//! A tiny `--name value` argument reader shared by the tool binaries, so they need no
//! argument-parsing dependency. A flag wins over its environment variable, which wins
//! over the default.

use std::collections::HashMap;
use std::str::FromStr;

/// Why the command line could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ArgError {
    #[error("unexpected argument {0:?} (flags are --name value)")]
    Unexpected(String),
    #[error("--{0} needs a value")]
    MissingValue(String),
    #[error("--{name} has an unparsable value {value:?}")]
    Unparsable { name: String, value: String },
    #[error("--{0} is required")]
    Required(String),
}

/// Parsed `--name value` pairs; a bare `--name` followed by another flag means `true`.
/// A flag given more than once keeps every value (`all`); `get` and `text` read the last.
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<String, Vec<String>>,
}

impl Args {
    pub fn parse(raw: impl IntoIterator<Item = String>) -> Result<Self, ArgError> {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        let mut raw = raw.into_iter().peekable();
        while let Some(arg) = raw.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(ArgError::Unexpected(arg));
            };
            let value = match raw.peek() {
                Some(next) if !next.starts_with("--") => raw.next().unwrap_or_default(),
                _ => "true".to_owned(),
            };
            if name.is_empty() {
                return Err(ArgError::MissingValue(arg));
            }
            values.entry(name.to_owned()).or_default().push(value);
        }
        Ok(Self { values })
    }

    /// The flag, else the environment variable `env` (when given), else `default`.
    pub fn get<T: FromStr>(
        &self,
        name: &str,
        env: Option<&str>,
        default: T,
    ) -> Result<T, ArgError> {
        match self.raw(name, env) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|_| ArgError::Unparsable {
                name: name.to_owned(),
                value,
            }),
        }
    }

    /// A flag that must be given.
    pub fn required<T: FromStr>(&self, name: &str) -> Result<T, ArgError> {
        let value = self
            .raw(name, None)
            .ok_or_else(|| ArgError::Required(name.to_owned()))?;
        value.parse().map_err(|_| ArgError::Unparsable {
            name: name.to_owned(),
            value,
        })
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.raw(name, None)
    }

    /// Every value of a flag that may be repeated, in the order given.
    #[must_use]
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    fn raw(&self, name: &str, env: Option<&str>) -> Option<String> {
        self.values
            .get(name)
            .and_then(|values| values.last().cloned())
            .or_else(|| env.and_then(|var| std::env::var(var).ok()))
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::parse(list.iter().map(|s| (*s).to_owned())).unwrap()
    }

    #[test]
    fn flags_values_and_defaults() {
        let parsed = args(&["--rate", "500", "--stream", "--url", "http://x"]);
        assert_eq!(parsed.get("rate", None, 1_u32).unwrap(), 500);
        assert!(parsed.get("stream", None, false).unwrap());
        assert_eq!(parsed.get("missing", None, 7_u32).unwrap(), 7);
        assert!(parsed.get::<u32>("url", None, 0).is_err());
        assert!(parsed.required::<String>("nothing").is_err());
        assert!(Args::parse(["bare".to_owned()]).is_err());
    }

    #[test]
    fn repeated_flags_keep_every_value() {
        let parsed = args(&["--header", "X-A: 1", "--header", "X-B: 2", "--rate", "5"]);
        assert_eq!(parsed.all("header"), ["X-A: 1", "X-B: 2"]);
        assert_eq!(parsed.text("header").as_deref(), Some("X-B: 2"));
        assert!(parsed.all("none").is_empty());
    }
}
