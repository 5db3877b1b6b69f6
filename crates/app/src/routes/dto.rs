//! Response bodies shared by the chat, memory and search routes, as the contract
//! spells them.

use chrono::{DateTime, Utc};
use polychat_domain::services::chat::{ChatPage, ChatTurn};
use polychat_domain::{Chat, ChatLabels, Message, MessageStatus, Role, Usage, UserPreference};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Token counts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct UsageDto {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl From<Usage> for UsageDto {
    fn from(u: Usage) -> Self {
        Self {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
            total_tokens: u.total_tokens,
        }
    }
}

/// A remembered statement about the user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreferenceDto {
    pub id: String,
    #[schema(example = "Sou desenvolvedor de software")]
    pub text: String,
    /// `identity`, `style`, `preference` or `fact`.
    #[schema(example = "identity")]
    pub kind: String,
    pub source_chat_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserPreference> for PreferenceDto {
    fn from(p: UserPreference) -> Self {
        Self {
            id: p.id.to_string(),
            text: p.text.into(),
            kind: p.kind.as_str().to_owned(),
            source_chat_id: p.source_chat_id.map(|id| id.to_string()),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// One message of a chat.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageDto {
    pub id: String,
    /// `user` or `assistant`.
    #[schema(example = "assistant")]
    pub role: String,
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageDto>,
    /// `complete`, `incomplete` (the stream was cut) or `error` (the model call failed).
    #[schema(example = "complete")]
    pub status: String,
    /// Why an `incomplete` or `error` message ended so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<MessageErrorDto>,
    /// An assistant answer's validation: `pending` (as stored), `human` or `ai`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "human")]
    pub validated_by: Option<String>,
    /// Who validated it, for `human`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Joana Lima")]
    pub operator_name: Option<String>,
    /// The model's own text, once a reviewer corrected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_content: Option<String>,
}

/// Why a message's generation failed or stopped early.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageErrorDto {
    #[schema(example = "upstream_timeout")]
    pub code: String,
    pub message: String,
}

fn role_name(role: Role) -> &'static str {
    role.as_str()
}

fn status_name(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Complete => "complete",
        MessageStatus::Incomplete => "incomplete",
        MessageStatus::Error => "error",
    }
}

impl From<Message> for MessageDto {
    fn from(m: Message) -> Self {
        Self {
            id: m.id.to_string(),
            role: role_name(m.role).to_owned(),
            content: m.content,
            model: m.model.map(Into::into),
            created_at: m.created_at,
            usage: m.usage.map(Into::into),
            status: status_name(m.status).to_owned(),
            error: m.error.map(|error| MessageErrorDto {
                code: error.code,
                message: error.message,
            }),
            validated_by: (m.role == Role::Assistant)
                .then(|| m.review.validated_by.as_str().to_owned()),
            operator_name: m.review.operator_name,
            original_content: m.review.original_content,
        }
    }
}

/// What memory did for a prompt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemoriesDto {
    /// Preferences given to the model with this prompt.
    pub used: Vec<PreferenceDto>,
    /// Preferences learned from this prompt.
    pub saved: Vec<PreferenceDto>,
}

/// An answered prompt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatTurnDto {
    pub chat_id: String,
    pub message: MessageDto,
    /// Tokens used by the whole chat so far.
    pub usage_total: UsageDto,
    pub memories: MemoriesDto,
}

impl From<ChatTurn> for ChatTurnDto {
    fn from(turn: ChatTurn) -> Self {
        // A turn not stored in a chat is its own total.
        let usage_total = turn.chat.as_ref().map_or_else(
            || turn.message.usage.unwrap_or_default(),
            |chat| chat.usage_total,
        );
        Self {
            chat_id: turn.message.chat_id.to_string(),
            message: turn.message.into(),
            usage_total: usage_total.into(),
            memories: MemoriesDto {
                used: turn.memories.used.into_iter().map(Into::into).collect(),
                saved: turn.memories.saved.into_iter().map(Into::into).collect(),
            },
        }
    }
}

/// A chat without its messages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatSummaryDto {
    pub chat_id: String,
    pub title: String,
    #[schema(example = "openai/gpt-4o-mini")]
    pub model: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub usage_total: UsageDto,
    pub message_count: u64,
    /// 1-64 of `[a-z0-9._-]`; null when unset.
    #[schema(example = "site-2026")]
    pub project: Option<String>,
    /// One of the server's `SECTORS`; null when unset.
    #[schema(example = "vendas")]
    pub sector: Option<String>,
}

/// A chat's labels as the API spells them.
fn labels(labels: ChatLabels) -> (Option<String>, Option<String>) {
    (
        labels.project.map(String::from),
        labels.sector.map(|sector| sector.as_str().to_owned()),
    )
}

impl From<Chat> for ChatSummaryDto {
    fn from(chat: Chat) -> Self {
        let (project, sector) = labels(chat.labels);
        Self {
            project,
            sector,
            chat_id: chat.id.to_string(),
            title: chat.title.into(),
            model: chat.model.into(),
            created_at: chat.created_at,
            updated_at: chat.updated_at,
            usage_total: chat.usage_total.into(),
            message_count: chat.message_count,
        }
    }
}

/// A chat with a page of its history, oldest message first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatDto {
    pub chat_id: String,
    pub title: String,
    pub model: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub usage_total: UsageDto,
    pub message_count: u64,
    pub project: Option<String>,
    pub sector: Option<String>,
    pub messages: Vec<MessageDto>,
    /// Pass as `before` to read the page of older messages; null at the start of the chat.
    pub next_before: Option<String>,
}

impl ChatDto {
    pub fn from_page(page: &ChatPage) -> Self {
        let chat = page.chat.clone();
        let (project, sector) = labels(chat.labels);
        Self {
            project,
            sector,
            chat_id: chat.id.to_string(),
            title: chat.title.into(),
            model: chat.model.into(),
            created_at: chat.created_at,
            updated_at: chat.updated_at,
            usage_total: chat.usage_total.into(),
            message_count: chat.message_count,
            next_before: page
                .messages
                .first()
                .filter(|_| page.may_have_older)
                .map(|m| m.id.to_string()),
            messages: page.messages.iter().cloned().map(Into::into).collect(),
        }
    }
}
