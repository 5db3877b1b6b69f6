//! Identities vouched for by a trusted issuer (a Django back office, an identity
//! provider): which issuer, and the subject it names. Such an identity maps to exactly
//! one local user, whatever its subject looks like.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::{Username, ValidationError};

/// The name an operator gives a trusted issuer in the issuers file: 1-16 of
/// `[a-z0-9-]`, starting with a letter. It prefixes the usernames of its users and is
/// what the profile shows as `issuer`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssuerName(String);

impl IssuerName {
    pub const MAX_CHARS: usize = 16;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let valid = (1..=Self::MAX_CHARS).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValidationError::new(
                "issuer",
                "must be 1-16 of lower-case letters, digits or '-', starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IssuerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The subject a trusted issuer names in its token: a string of 1-255 printable
/// characters, or an integer in its decimal form (`SIMPLE_JWT`'s `user_id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalSubject(String);

impl ExternalSubject {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let length = text.chars().count();
        if (1..=Self::MAX_CHARS).contains(&length) && !text.chars().any(char::is_control) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValidationError::new(
                "subject",
                "must be 1-255 printable characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user as a trusted issuer knows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalIdentity {
    pub issuer: IssuerName,
    pub subject: ExternalSubject,
}

impl ExternalIdentity {
    /// The username a first sight of this identity tries: `<issuer>.<subject>` when the
    /// subject is made of username characters and the whole fits; otherwise (or once
    /// that name is taken) `<issuer>.` and a hash of the identity, which no other
    /// identity is expected to share. The username is only a name: the identity is
    /// found again by (issuer, subject), never by username, so a local user holding
    /// the readable name takes nothing from this identity.
    pub fn username(&self, readable: bool) -> Username {
        let issuer = self.issuer.as_str();
        let subject = self.subject.as_str();
        let plain = subject
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        if readable
            && plain
            && let Ok(name) = Username::parse(&format!("{issuer}.{subject}"))
        {
            return name;
        }
        let mut digest = Sha256::new();
        digest.update(issuer.as_bytes());
        digest.update([0]);
        digest.update(subject.as_bytes());
        let hash = digest
            .finalize()
            .iter()
            .fold(String::new(), |mut hex, byte| {
                use std::fmt::Write as _;
                let _ = write!(hex, "{byte:02x}");
                hex
            });
        // 16 (issuer) + 1 + 15 = 32, the longest username; 60 bits of hash.
        let room = 32 - issuer.len() - 1;
        Username::parse(&format!("{issuer}.{}", &hash[..room.min(hash.len())]))
            .unwrap_or_else(|_| unreachable_username())
    }
}

/// An issuer name and hex digits always make a valid username; this is never reached.
fn unreachable_username() -> Username {
    Username::parse("external-user").unwrap_or_else(|_| unreachable!("a valid literal"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(issuer: &str, subject: &str) -> ExternalIdentity {
        ExternalIdentity {
            issuer: IssuerName::parse(issuer).unwrap(),
            subject: ExternalSubject::parse(subject).unwrap(),
        }
    }

    #[test]
    fn issuer_names_are_short_slugs() {
        assert!(IssuerName::parse("backoffice").is_ok());
        assert!(IssuerName::parse("sso-2").is_ok());
        assert!(IssuerName::parse("").is_err());
        assert!(IssuerName::parse("2sso").is_err());
        assert!(IssuerName::parse("Back").is_err());
        assert!(IssuerName::parse("a.b").is_err());
        assert!(IssuerName::parse(&"a".repeat(17)).is_err());
    }

    #[test]
    fn subjects_are_bounded_and_printable() {
        assert!(ExternalSubject::parse("42").is_ok());
        assert!(ExternalSubject::parse("").is_err());
        assert!(ExternalSubject::parse("a\nb").is_err());
        assert!(ExternalSubject::parse(&"x".repeat(256)).is_err());
    }

    #[test]
    fn usernames_are_readable_when_safe_and_hashed_otherwise() {
        assert_eq!(
            identity("backoffice", "42").username(true).as_str(),
            "backoffice.42"
        );
        let odd = identity("sso", "auth0|5f/../admin");
        let name = odd.username(true);
        assert!(name.as_str().starts_with("sso."));
        assert_eq!(name.as_str().len(), 32);
        assert_eq!(name, odd.username(true), "the same identity, the same name");
        assert_ne!(name, identity("sso", "auth0|5f/../admim").username(true));
        let long = identity("abcdefghijklmnop", &"s".repeat(40));
        assert_eq!(long.username(true).as_str().len(), 32);
        let fallback = identity("backoffice", "42").username(false);
        assert_ne!(fallback.as_str(), "backoffice.42");
        assert!(fallback.as_str().starts_with("backoffice."));
    }
}
