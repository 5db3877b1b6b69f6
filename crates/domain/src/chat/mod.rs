//! Chats and their messages, as stored in the chat history.

use std::ops::AddAssign;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ChatId, MessageId, ModelName, UserId, ValidationError};

mod labels;

pub use labels::{ChatLabels, LabelsRequest, Project, Sector, Sectors};

/// Token counts of one model call, or summed over a chat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    /// Counted by polychat with a tokenizer because the model reported no usage.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub estimated: bool,
}

impl Usage {
    /// Counts as the model reported them.
    pub fn reported(prompt_tokens: u64, completion_tokens: u64) -> Self {
        Self {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
            estimated: false,
        }
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, rhs: Self) {
        self.prompt_tokens += rhs.prompt_tokens;
        self.completion_tokens += rhs.completion_tokens;
        self.total_tokens += rhs.total_tokens;
        self.estimated |= rhs.estimated;
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    /// A tool's result sent back by an OpenAI-compatible client (never stored).
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::Tool => "tool",
        }
    }
}

/// Whether a message holds everything it was meant to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// The whole message is stored.
    Complete,
    /// Generation started but was cut before the end (stream interrupted); what arrived is kept.
    Incomplete,
    /// The model call failed; the content may be empty.
    Error,
}

/// A user's prompt: non-empty after trimming and at most [`Prompt::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt(String);

impl Prompt {
    pub const MAX_CHARS: usize = 32_000;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        if text.trim().is_empty() {
            return Err(ValidationError::new("prompt", "must not be empty"));
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "prompt",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A chat's title: 1-120 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChatTitle(String);

impl ChatTitle {
    pub const MAX_CHARS: usize = 120;
    const FROM_PROMPT_CHARS: usize = 60;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let trimmed = text.trim();
        let len = trimmed.chars().count();
        if len == 0 || len > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "title",
                format!("must be 1-{} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The title a new chat gets from its first prompt: the first line, whitespace
    /// collapsed, cut at a word boundary near 60 characters with an ellipsis.
    pub fn from_prompt(prompt: &Prompt) -> Self {
        let words: Vec<&str> = prompt.as_str().split_whitespace().collect();
        let mut title = String::new();
        for word in &words {
            let extra = usize::from(!title.is_empty()) + word.chars().count();
            if title.chars().count() + extra > Self::FROM_PROMPT_CHARS {
                break;
            }
            if !title.is_empty() {
                title.push(' ');
            }
            title.push_str(word);
        }
        if title.is_empty() {
            title = words
                .first()
                .map(|w| w.chars().take(Self::FROM_PROMPT_CHARS).collect())
                .unwrap_or_default();
        }
        if title.chars().count() < words.join(" ").chars().count() {
            title.push('…');
        }
        Self(title)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ChatTitle {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ChatTitle> for String {
    fn from(value: ChatTitle) -> Self {
        value.0
    }
}

/// A chat's header: everything but its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    pub id: ChatId,
    pub owner: UserId,
    pub title: ChatTitle,
    pub model: ModelName,
    /// Its project and sector (either may be unset).
    pub labels: ChatLabels,
    pub usage_total: Usage,
    pub message_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The header of a chat as listed to its owner.
pub type ChatSummary = Chat;

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub chat_id: ChatId,
    pub role: Role,
    pub content: String,
    /// The model that wrote an assistant message.
    pub model: Option<ModelName>,
    pub usage: Option<Usage>,
    pub status: MessageStatus,
    /// Why an `incomplete` or `error` message ended as it did.
    pub error: Option<MessageError>,
    /// Who vouched for an assistant answer, and the text a reviewer replaced.
    #[serde(default)]
    pub review: Review,
    pub created_at: DateTime<Utc>,
}

/// Who vouched for an assistant answer: nobody yet, a person, or an automated reviewer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    #[default]
    Pending,
    Human,
    Ai,
}

impl Validation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Human => "human",
            Self::Ai => "ai",
        }
    }

    /// `pending`, `human` or `ai`.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "pending" => Ok(Self::Pending),
            "human" => Ok(Self::Human),
            "ai" => Ok(Self::Ai),
            _ => Err(ValidationError::new(
                "validated_by",
                "must be pending, human or ai",
            )),
        }
    }
}

/// A reviewer's verdict on an assistant answer. `original_content` keeps the model's
/// own text once a reviewer corrected it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub validated_by: Validation,
    /// The person who validated, for `human`.
    #[serde(default)]
    pub operator_name: Option<String>,
    #[serde(default)]
    pub original_content: Option<String>,
}

/// The longest operator name kept.
pub const MAX_OPERATOR_NAME_CHARS: usize = 120;

/// Why a message's generation failed or stopped early, in the contract's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageError {
    /// The `snake_case` code the API answers with for the same failure.
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_adds_up() {
        let mut total = Usage::default();
        total += Usage::reported(3, 4);
        assert!(!total.estimated);
        total += Usage {
            estimated: true,
            ..Usage::reported(1, 1)
        };
        assert_eq!(total.total_tokens, 9);
        assert_eq!(total.prompt_tokens, 4);
        assert!(
            total.estimated,
            "a sum with an estimate in it is an estimate"
        );
    }

    #[test]
    fn prompt_rejects_blank_and_oversized() {
        assert!(Prompt::parse("  \n").is_err());
        assert!(Prompt::parse(&"x".repeat(Prompt::MAX_CHARS + 1)).is_err());
        assert!(Prompt::parse("olá").is_ok());
    }

    #[test]
    fn title_from_prompt_is_short_and_marks_the_cut() {
        let short = Prompt::parse("Olá, tudo bem?").unwrap();
        assert_eq!(ChatTitle::from_prompt(&short).as_str(), "Olá, tudo bem?");
        let long = Prompt::parse(&"palavra ".repeat(30)).unwrap();
        let title = ChatTitle::from_prompt(&long);
        assert!(title.as_str().chars().count() <= 61);
        assert!(title.as_str().ends_with('…'));
        let one_huge_word = Prompt::parse(&"x".repeat(500)).unwrap();
        assert_eq!(
            ChatTitle::from_prompt(&one_huge_word)
                .as_str()
                .chars()
                .count(),
            61
        );
    }
}
