//! Test data shared by the chat-repository contract suites: fixed millisecond times,
//! fresh owners and ids, and short ways to read back what a store holds.

use chrono::{DateTime, Utc};
use polychat_domain::ports::ChatRepository;
use polychat_domain::{
    Chat, ChatId, ChatTitle, Message, MessageId, MessageStatus, ModelName, Role, Usage, UserId,
};

/// A point in time at millisecond precision, as every store keeps it.
pub(super) fn at(offset_ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_767_225_600_000 + offset_ms).expect("valid timestamp")
}

pub(super) fn usage(prompt: u64, completion: u64) -> Usage {
    Usage::reported(prompt, completion)
}

pub(super) fn new_chat(owner: UserId, updated_at: DateTime<Utc>) -> Chat {
    Chat {
        id: ChatId::generate(),
        owner,
        title: ChatTitle::parse("Contract chat").expect("valid title"),
        model: ModelName::parse("openai/gpt-4o-mini").expect("valid model"),
        labels: polychat_domain::ChatLabels::default(),
        usage_total: usage(1, 2),
        message_count: 0,
        created_at: updated_at,
        updated_at,
    }
}

pub(super) fn new_message(chat: ChatId, n: i64, usage: Option<Usage>) -> Message {
    Message {
        id: MessageId::generate(),
        chat_id: chat,
        role: if usage.is_some() {
            Role::Assistant
        } else {
            Role::User
        },
        content: format!("message {n} — olá"),
        model: usage.map(|_| ModelName::parse("openai/gpt-4o-mini").expect("valid model")),
        usage,
        status: MessageStatus::Complete,
        error: None,
        review: polychat_domain::Review::default(),
        created_at: at(1_000 + n),
    }
}

pub(super) async fn stored(repo: &dyn ChatRepository, chat: &Chat) -> Chat {
    repo.find_chat(chat.owner, chat.id)
        .await
        .expect("find_chat")
        .expect("chat exists")
}

pub(super) async fn all_messages(
    repo: &dyn ChatRepository,
    owner: UserId,
    chat: ChatId,
) -> Vec<Message> {
    repo.messages(owner, chat, 10_000, None)
        .await
        .expect("messages")
}
