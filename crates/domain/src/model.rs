//! Model names as OpenRouter spells them (`vendor/model[:variant]`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A model identifier such as `openai/gpt-4o-mini` or `meta-llama/llama-3.1-8b-instruct:free`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ModelName(String);

impl ModelName {
    const MAX_LEN: usize = 128;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        if text.is_empty() || text.len() > Self::MAX_LEN {
            return Err(ValidationError::new(
                "model",
                format!("must be 1-{} characters", Self::MAX_LEN),
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "/-_.:@+".contains(c);
        if !text.chars().all(allowed) {
            return Err(ValidationError::new(
                "model",
                "may contain only letters, digits and / - _ . : @ +",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ModelName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ModelName> for String {
    fn from(value: ModelName) -> Self {
        value.0
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_openrouter_names_and_rejects_others() {
        assert!(ModelName::parse("openai/gpt-4o-mini").is_ok());
        assert!(ModelName::parse("meta-llama/llama-3.1-8b-instruct:free").is_ok());
        assert!(ModelName::parse("").is_err());
        assert!(ModelName::parse("bad model").is_err());
        assert!(ModelName::parse(&"a".repeat(129)).is_err());
    }
}
