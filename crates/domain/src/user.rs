//! Users and their credentials.

use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{IssuerName, ModelName, UserId, ValidationError};

/// A login name: 3-32 of `[A-Za-z0-9_.-]`. Uniqueness is case-insensitive, so the
/// canonical form used for lookups is [`Username::canonical`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let valid_chars = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !(3..=32).contains(&text.len()) || !valid_chars {
            return Err(ValidationError::new(
                "username",
                "must be 3-32 characters of letters, digits, '_', '.' or '-'",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The name as the user typed it at registration.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form that uniqueness and lookups use.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl TryFrom<String> for Username {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plaintext password on its way to the hasher: 8-72 bytes, because bcrypt ignores
/// everything after byte 72 and silently accepting more would be a lie to the user.
#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    pub const MIN_BYTES: usize = 8;
    pub const MAX_BYTES: usize = 72;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, ValidationError> {
        if !(Self::MIN_BYTES..=Self::MAX_BYTES).contains(&text.len()) {
            return Err(ValidationError::new(
                field,
                format!("must be {}-{} bytes long", Self::MIN_BYTES, Self::MAX_BYTES),
            ));
        }
        Ok(Self(SecretString::from(text)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// A password hash in the hasher's own self-describing format (e.g. `$2b$12$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// What a hash column holds for an account without a password (a user of a
    /// trusted issuer): no hasher produces it, so no password matches it.
    const NO_PASSWORD: &'static str = "!";

    pub fn new(encoded: String) -> Self {
        Self(encoded)
    }

    /// The hash of an account that cannot log in with a password.
    pub fn none() -> Self {
        Self(Self::NO_PASSWORD.to_owned())
    }

    /// Whether a password can match this hash (`false` for [`PasswordHash::none`]).
    pub fn is_usable(&self) -> bool {
        self.0 != Self::NO_PASSWORD
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// An optional human-friendly name, 1-64 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let trimmed = text.trim();
        let len = trimmed.chars().count();
        if len == 0 || len > 64 || trimmed.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "display_name",
                "must be 1-64 printable characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// A third-party secret (the user's OpenRouter key) as it rests in the database:
/// the cipher's versioned ciphertext and a hint of at most the last four characters.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub ciphertext: String,
    pub hint: String,
}

impl StoredSecret {
    /// The hint shown to the user for a plaintext key: an ellipsis and its last 4
    /// characters, fewer for a key under 16 characters, so that a hint never gives away
    /// more than a quarter of a key (a 4-character "key" would otherwise be shown whole).
    pub fn hint_for(plaintext: &SecretString) -> String {
        let key = plaintext.expose_secret();
        let length = key.chars().count();
        let tail: String = key.chars().skip(length - (length / 4).min(4)).collect();
        format!("…{tail}")
    }
}

impl fmt::Debug for StoredSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSecret")
            .field("hint", &self.hint)
            .finish_non_exhaustive()
    }
}

/// What a user may do: every user chats; an admin also manages the custom models and
/// reads everyone's usage. Only the `polychat admin` command changes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountRole {
    #[default]
    User,
    Admin,
}

impl AccountRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }

    /// The role stored as [`AccountRole::as_str`] names it.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "user" => Some(Self::User),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A registered user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: Option<DisplayName>,
    pub default_model: Option<ModelName>,
    pub password_hash: PasswordHash,
    pub openrouter_key: Option<StoredSecret>,
    /// Whether chats recall and learn memories (the user may turn memory off).
    pub memory_enabled: bool,
    pub role: AccountRole,
    /// The trusted issuer whose token created this user; `None` for a local account.
    pub issuer: Option<IssuerName>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert!(Username::parse("ana.maria-01_x").is_ok());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse("ana maria").is_err());
        assert!(Username::parse("ánа").is_err());
        assert_eq!(Username::parse("Ana").unwrap().canonical(), "ana");
    }

    #[test]
    fn password_length_is_counted_in_bytes() {
        assert!(Password::parse("password", "1234567").is_err());
        assert!(Password::parse("password", &"x".repeat(72)).is_ok());
        assert!(Password::parse("password", &"x".repeat(73)).is_err());
        // 24 three-byte characters are 72 bytes; one more is over the bcrypt limit.
        assert!(Password::parse("password", &"€".repeat(24)).is_ok());
        assert!(Password::parse("password", &"€".repeat(25)).is_err());
    }

    #[test]
    fn hint_shows_only_the_last_four_characters() {
        let key = SecretString::from("sk-or-v1-abcdefa1b2");
        assert_eq!(StoredSecret::hint_for(&key), "…a1b2");
        // A short key never shows more than a quarter of itself.
        assert_eq!(
            StoredSecret::hint_for(&SecretString::from("sk-short")),
            "…rt"
        );
        assert_eq!(StoredSecret::hint_for(&SecretString::from("abcd")), "…d");
        assert_eq!(StoredSecret::hint_for(&SecretString::from("abc")), "…");
        let secret = StoredSecret {
            ciphertext: "v1:secret".into(),
            hint: "…a1b2".into(),
        };
        assert!(!format!("{secret:?}").contains("v1:secret"));
    }
}
