//! What the service remembers about a user: preferences, identity, style and facts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ChatId, PreferenceId, UserId, ValidationError};

/// The kind of a remembered statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PreferenceKind {
    /// Name, profession, role, studies.
    Identity,
    /// How the assistant should communicate; applies to every prompt.
    Style,
    /// Likes, dislikes and habitual choices.
    Preference,
    /// Other stable circumstances: where the user lives, family, health, languages.
    Fact,
}

impl PreferenceKind {
    pub const ALL: [Self; 4] = [Self::Identity, Self::Style, Self::Preference, Self::Fact];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Style => "style",
            Self::Preference => "preference",
            Self::Fact => "fact",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                ValidationError::new("kind", "must be identity, style, preference or fact")
            })
    }
}

/// The text of a remembered statement: 1-500 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PreferenceText(String);

impl PreferenceText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let trimmed = text.trim();
        let len = trimmed.chars().count();
        if len == 0 || len > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "text",
                format!("must be 1-{} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PreferenceText {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PreferenceText> for String {
    fn from(value: PreferenceText) -> Self {
        value.0
    }
}

/// A dense vector from the embedder, compared by cosine similarity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Embedding(Vec<f32>);

impl Embedding {
    pub fn new(values: Vec<f32>) -> Self {
        Self(values)
    }

    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }

    pub fn into_inner(self) -> Vec<f32> {
        self.0
    }

    pub fn dimensions(&self) -> usize {
        self.0.len()
    }

    /// Cosine similarity in [-1, 1]; 0 when either vector is zero or the sizes differ.
    pub fn cosine(&self, other: &Self) -> f32 {
        if self.0.len() != other.0.len() {
            return 0.0;
        }
        let (mut dot, mut left, mut right) = (0.0_f32, 0.0_f32, 0.0_f32);
        for (a, b) in self.0.iter().zip(&other.0) {
            dot += a * b;
            left += a * a;
            right += b * b;
        }
        if left == 0.0 || right == 0.0 {
            return 0.0;
        }
        dot / (left.sqrt() * right.sqrt())
    }
}

/// One remembered statement about a user. Serialized (for a replayed answer) without
/// its embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPreference {
    pub id: PreferenceId,
    pub owner: UserId,
    pub text: PreferenceText,
    pub kind: PreferenceKind,
    #[serde(skip)]
    pub embedding: Embedding,
    /// The chat whose prompt it was learned from; `None` when the user entered it directly.
    pub source_chat_id: Option<ChatId>,
    /// The preference that replaced this one; a superseded preference is never used again.
    pub superseded_by: Option<PreferenceId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_round_trips() {
        for kind in PreferenceKind::ALL {
            assert_eq!(PreferenceKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(PreferenceKind::parse("mood").is_err());
    }

    #[test]
    fn cosine_similarity() {
        let a = Embedding::new(vec![1.0, 0.0]);
        let b = Embedding::new(vec![0.0, 2.0]);
        let c = Embedding::new(vec![3.0, 0.0]);
        assert!(a.cosine(&b).abs() < 1e-6);
        assert!((a.cosine(&c) - 1.0).abs() < 1e-6);
        assert!(a.cosine(&Embedding::new(vec![1.0])).abs() < f32::EPSILON);
    }
}
