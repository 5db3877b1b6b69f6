//! The stored shape of chats and messages, and its translation to and from the domain.
//!
//! Ids are UUID strings; times are BSON dates; token counts and positions are `i64`,
//! BSON's widest integer.
//!
//! A message is stored under the key `<chat id>:<position>` (the position zero-padded),
//! so a page of history is a set of keys computed from the chat's message count and
//! read by `_id` alone, the one lookup every MongoDB-compatible server serves from an
//! index. Its own id leads to that key through a [`PositionDocument`].

use chrono::{DateTime, Utc};
use mongodb::bson::{self, Bson, DateTime as BsonDateTime, Document, doc};
use polychat_domain::ports::StoreError;
use polychat_domain::{
    Chat, ChatId, ChatLabels, ChatTitle, Message, MessageError, MessageId, MessageStatus,
    ModelName, Project, Review, Role, Sector, Usage, UserId,
};
use serde::{Deserialize, Serialize};

/// One chat, with its running totals.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ChatDocument {
    #[serde(rename = "_id")]
    id: String,
    owner: String,
    title: ChatTitle,
    model: ModelName,
    /// Absent in chats stored before chats had labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    project: Option<Project>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sector: Option<Sector>,
    usage_total: UsageDocument,
    message_count: i64,
    created_at: BsonDateTime,
    updated_at: BsonDateTime,
}

/// One message; `owner` is repeated here so every message query filters by it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MessageDocument {
    #[serde(rename = "_id")]
    key: String,
    message_id: String,
    chat_id: String,
    owner: String,
    position: i64,
    role: Role,
    content: String,
    model: Option<ModelName>,
    usage: Option<UsageDocument>,
    status: MessageStatus,
    /// Why an incomplete or failed message ended so (absent in older documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<MessageError>,
    /// An assistant answer's validation (absent in older documents: pending).
    #[serde(default)]
    review: Review,
    created_at: BsonDateTime,
}

/// Where a message sits in its chat, found by the message's id.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PositionDocument {
    #[serde(rename = "_id")]
    message_id: String,
    chat_id: String,
    owner: String,
    position: i64,
}

/// Token counts; the field names are the domain's, as API clients know them.
#[expect(
    clippy::struct_field_names,
    reason = "the names mirror the domain's Usage"
)]
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct UsageDocument {
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
}

/// Counts never come near `i64::MAX`; saturating keeps a corrupt input from wrapping.
pub(crate) fn to_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

/// The `_id` of the message at `position` in `chat`. Zero-padded to 20 digits (any
/// `u64`), so keys sort in position order too.
pub(crate) fn message_key(chat: ChatId, position: u64) -> String {
    format!("{chat}:{position:020}")
}

pub(crate) fn bson_time(at: DateTime<Utc>) -> BsonDateTime {
    BsonDateTime::from_millis(at.timestamp_millis())
}

fn chrono_time(at: BsonDateTime) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(at.timestamp_millis())
        .ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("stored date out of range")))
}

fn corrupt(error: polychat_domain::ValidationError) -> StoreError {
    StoreError::Unknown(anyhow::Error::new(error).context("stored document is invalid"))
}

/// `$inc` fields that add `sign` times `usage` to a chat's totals.
pub(crate) fn usage_increments(usage: Usage, sign: i64) -> Document {
    doc! {
        "usage_total.prompt_tokens": sign * to_i64(usage.prompt_tokens),
        "usage_total.completion_tokens": sign * to_i64(usage.completion_tokens),
        "usage_total.total_tokens": sign * to_i64(usage.total_tokens),
    }
}

/// A value of a domain type in its stored BSON form (for `$set`).
pub(crate) fn to_bson<T: Serialize>(value: &T) -> Result<Bson, StoreError> {
    bson::to_bson(value).map_err(|error| StoreError::Unknown(error.into()))
}

impl From<Usage> for UsageDocument {
    fn from(usage: Usage) -> Self {
        Self {
            prompt_tokens: to_i64(usage.prompt_tokens),
            completion_tokens: to_i64(usage.completion_tokens),
            total_tokens: to_i64(usage.total_tokens),
        }
    }
}

impl From<UsageDocument> for Usage {
    fn from(usage: UsageDocument) -> Self {
        Self {
            prompt_tokens: to_u64(usage.prompt_tokens),
            completion_tokens: to_u64(usage.completion_tokens),
            total_tokens: to_u64(usage.total_tokens),
            estimated: false,
        }
    }
}

impl From<&Chat> for ChatDocument {
    fn from(chat: &Chat) -> Self {
        Self {
            id: chat.id.to_string(),
            owner: chat.owner.to_string(),
            title: chat.title.clone(),
            model: chat.model.clone(),
            project: chat.labels.project.clone(),
            sector: chat.labels.sector.clone(),
            usage_total: chat.usage_total.into(),
            message_count: to_i64(chat.message_count),
            created_at: bson_time(chat.created_at),
            updated_at: bson_time(chat.updated_at),
        }
    }
}

impl TryFrom<ChatDocument> for Chat {
    type Error = StoreError;

    fn try_from(stored: ChatDocument) -> Result<Self, StoreError> {
        Ok(Self {
            id: ChatId::parse(&stored.id).map_err(corrupt)?,
            owner: UserId::parse(&stored.owner).map_err(corrupt)?,
            title: stored.title,
            model: stored.model,
            labels: ChatLabels {
                project: stored.project,
                sector: stored.sector,
            },
            usage_total: stored.usage_total.into(),
            message_count: to_u64(stored.message_count),
            created_at: chrono_time(stored.created_at)?,
            updated_at: chrono_time(stored.updated_at)?,
        })
    }
}

impl MessageDocument {
    pub(crate) fn new(owner: UserId, message: &Message, position: u64) -> Self {
        Self {
            key: message_key(message.chat_id, position),
            message_id: message.id.to_string(),
            chat_id: message.chat_id.to_string(),
            owner: owner.to_string(),
            position: to_i64(position),
            role: message.role,
            content: message.content.clone(),
            model: message.model.clone(),
            usage: message.usage.map(UsageDocument::from),
            status: message.status,
            error: message.error.clone(),
            review: message.review.clone(),
            created_at: bson_time(message.created_at),
        }
    }

    pub(crate) fn position(&self) -> u64 {
        to_u64(self.position)
    }
}

impl PositionDocument {
    pub(crate) fn new(owner: UserId, message: &Message, position: u64) -> Self {
        Self {
            message_id: message.id.to_string(),
            chat_id: message.chat_id.to_string(),
            owner: owner.to_string(),
            position: to_i64(position),
        }
    }

    pub(crate) fn position(&self) -> u64 {
        to_u64(self.position)
    }
}

impl TryFrom<MessageDocument> for Message {
    type Error = StoreError;

    fn try_from(stored: MessageDocument) -> Result<Self, StoreError> {
        Ok(Self {
            id: MessageId::parse(&stored.message_id).map_err(corrupt)?,
            chat_id: ChatId::parse(&stored.chat_id).map_err(corrupt)?,
            role: stored.role,
            content: stored.content,
            model: stored.model,
            usage: stored.usage.map(Usage::from),
            status: stored.status,
            error: stored.error,
            review: stored.review,
            created_at: chrono_time(stored.created_at)?,
        })
    }
}

/// How many chats an owner has registered (slots taken, deleted chats included).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CounterDocument {
    #[serde(rename = "_id")]
    owner: String,
    count: i64,
}

/// One slot of an owner's chat register: `_id` is `<owner>:<slot>`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SlotDocument {
    #[serde(rename = "_id")]
    key: String,
    owner: String,
    slot: i64,
    pub(crate) chat_id: String,
}

/// The `_id` of an owner's chat slot, zero-padded like [`message_key`].
pub(crate) fn slot_key(owner: UserId, slot: u64) -> String {
    format!("{owner}:{slot:020}")
}

impl CounterDocument {
    pub(crate) fn count(&self) -> u64 {
        to_u64(self.count)
    }
}

impl SlotDocument {
    pub(crate) fn slot(&self) -> u64 {
        to_u64(self.slot)
    }

    pub(crate) fn key(&self) -> &str {
        &self.key
    }
}
