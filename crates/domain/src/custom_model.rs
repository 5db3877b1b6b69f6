//! Custom models: models an admin registers, answered by webhooks (n8n workflows) and
//! picked by their slug wherever an OpenRouter id is accepted.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::{CustomModelId, ModelName, UserId, Username, ValidationError};

/// A custom model's id in requests: 2-64 of `[a-z0-9._-]`, never a `/`, so it cannot
/// collide with an OpenRouter id (`vendor/model`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelSlug(String);

impl ModelSlug {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !(2..=64).contains(&text.len()) || !text.chars().all(allowed) {
            return Err(ValidationError::new(
                "slug",
                "must be 2-64 characters of a-z, 0-9, '.', '_' or '-'",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// Whether a requested model id names a custom model rather than an OpenRouter one.
    pub fn from_model(model: &ModelName) -> Option<Self> {
        Self::parse(model.as_str()).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ModelSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A webhook header as stored: its name in clear, its value sealed by the cipher (bound
/// to the model and the header's name).
#[derive(Clone, PartialEq, Eq)]
pub struct SealedHeader {
    pub name: String,
    pub ciphertext: String,
}

impl fmt::Debug for SealedHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedHeader")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The settings of a custom model that each version records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSettings {
    pub slug: ModelSlug,
    pub name: String,
    pub description: Option<String>,
    pub chat_webhook_url: String,
    pub completions_webhook_url: String,
    pub is_active: bool,
    /// Answers when the webhook fails: another slug or an OpenRouter id.
    pub fallback_model: Option<ModelName>,
    pub timeout_seconds: u32,
    /// Empty: everyone may use the model; otherwise these users (and admins) only.
    pub allowed_usernames: Vec<Username>,
    pub webhook_headers: Vec<SealedHeader>,
}

impl ModelSettings {
    pub const DEFAULT_TIMEOUT_SECONDS: u32 = 60;
    pub const MAX_TIMEOUT_SECONDS: u32 = 300;

    /// Whether `username` (not an admin) may see and use the model.
    pub fn admits(&self, username: &Username) -> bool {
        self.allowed_usernames.is_empty()
            || self
                .allowed_usernames
                .iter()
                .any(|allowed| allowed.canonical() == username.canonical())
    }
}

/// A registered custom model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomModel {
    pub id: CustomModelId,
    pub settings: ModelSettings,
    /// The webhook signing secret, sealed by the cipher.
    pub signing_secret: String,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One recorded version of a model's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelVersion {
    pub version: u32,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<UserId>,
    pub settings: ModelSettings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        assert!(ModelSlug::parse("support-bot.v2_x").is_ok());
        assert!(ModelSlug::parse("a").is_err());
        assert!(ModelSlug::parse(&"a".repeat(65)).is_err());
        assert!(ModelSlug::parse("openai/gpt-4o").is_err());
        assert!(ModelSlug::parse("Support").is_err());
    }
}
