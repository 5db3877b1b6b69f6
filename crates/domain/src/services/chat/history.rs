//! Reading and managing chats: history pages (served from the cache from the second
//! read on, never stale), the chat list, renaming and deletion.

use chrono::{DateTime, Utc};
use futures_util::future::join;
use uuid::Uuid;

use super::{ChatError, ChatService};
use crate::ports::{CacheLookup, ChatChanges, ChatCursor, ChatPageKey};
use crate::services::ServiceError;
use crate::services::memory::MemoryError;
use crate::{
    Chat, ChatId, ChatLabels, ChatTitle, LabelsRequest, Message, MessageId, ModelName, UserId,
    ValidationError,
};

/// Which page of a chat to read.
#[derive(Debug, Clone, Copy)]
pub struct ChatPageRequest {
    pub chat_id: ChatId,
    pub limit: Option<u32>,
    pub before: Option<MessageId>,
}

/// A chat with one page of its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatPage {
    pub chat: Chat,
    pub messages: Vec<Message>,
    /// The page is full, so older messages may follow (read them with `before`).
    pub may_have_older: bool,
}

/// An empty chat as a client asks for it (`POST /chats`).
#[derive(Debug, Clone, Default)]
pub struct NewChatRequest {
    /// Defaults to [`NEW_CHAT_TITLE`].
    pub title: Option<String>,
    /// Defaults to the profile's model, then the server's.
    pub model: Option<String>,
    pub labels: LabelsRequest,
}

/// The title of a chat created without one.
const NEW_CHAT_TITLE: &str = "New chat";

/// Where a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
    Hit,
    Miss,
}

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

/// How many of a kept chat's newest messages the retention sweep indexes again.
const REINDEX_MESSAGES: u32 = 200;

fn page_limit(limit: Option<u32>) -> Result<u32, ValidationError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(ValidationError::new(
            "limit",
            format!("must be 1-{MAX_PAGE}"),
        ))
    }
}

impl ChatService {
    /// A page of a chat's history, rendered by `render`. Cached entries carry their
    /// owner, so a cached page is only ever served to the chat's owner.
    pub async fn page(
        &self,
        owner: UserId,
        request: ChatPageRequest,
        render: impl FnOnce(&ChatPage) -> Vec<u8>,
    ) -> Result<(Vec<u8>, CacheStatus), ChatError> {
        let key = ChatPageKey {
            limit: page_limit(request.limit)?,
            before: request.before,
        };
        let lookup = self.ports.cache.get(request.chat_id, key).await;
        let generation = match lookup {
            Ok(CacheLookup::Hit(entry)) => {
                self.ports.telemetry.history_cache(true);
                let (entry_owner, body) = entry.split_at_checked(16).unwrap_or((&[], &[]));
                if entry_owner == owner.as_uuid().as_bytes() {
                    return Ok((body.to_vec(), CacheStatus::Hit));
                }
                if Uuid::from_slice(entry_owner).is_ok() {
                    return Err(ChatError::NotFound);
                }
                None
            }
            Ok(CacheLookup::Miss { generation }) => {
                self.ports.telemetry.history_cache(false);
                Some(generation)
            }
            Err(error) => {
                tracing::warn!(error = %error, "chat cache unavailable; reading the store");
                None
            }
        };
        let (chat, messages) = join(
            self.ports.chats.find_chat(owner, request.chat_id),
            self.ports
                .chats
                .messages(owner, request.chat_id, key.limit, key.before),
        )
        .await;
        let chat = chat?.ok_or(ChatError::NotFound)?;
        let messages = messages?;
        let page = ChatPage {
            chat,
            may_have_older: messages.len() >= usize::try_from(key.limit).unwrap_or(usize::MAX),
            messages,
        };
        let body = render(&page);
        if let Some(generation) = generation {
            let mut entry = Vec::with_capacity(16 + body.len());
            entry.extend_from_slice(owner.as_uuid().as_bytes());
            entry.extend_from_slice(&body);
            if let Err(error) = self
                .ports
                .cache
                .put(request.chat_id, key, generation, &entry)
                .await
            {
                tracing::warn!(error = %error, "chat page not cached");
            }
        }
        Ok((body, CacheStatus::Miss))
    }

    /// Creates an empty chat.
    pub async fn create(&self, owner: UserId, request: NewChatRequest) -> Result<Chat, ChatError> {
        let title = ChatTitle::parse(request.title.as_deref().unwrap_or(NEW_CHAT_TITLE))?;
        let model = request
            .model
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(ModelName::parse)
            .transpose()?;
        let labels = request.labels.parse(&self.policy.sectors)?;
        let model = match model {
            Some(model) => model,
            None => self
                .auth
                .profile(owner)
                .await?
                .default_model
                .unwrap_or_else(|| self.policy.default_model.clone()),
        };
        let chat = self.new_chat(owner, title, model, labels);
        self.ports.chats.create_chat(&chat).await?;
        Ok(chat)
    }

    /// The user's chats with the labels `filter` sets, most recently updated first, and
    /// the cursor of the next page.
    pub async fn list(
        &self,
        owner: UserId,
        limit: Option<u32>,
        cursor: Option<ChatCursor>,
        filter: &LabelsRequest,
    ) -> Result<(Vec<Chat>, Option<ChatCursor>), ChatError> {
        let limit = page_limit(limit)?;
        let filter = filter.parse(&self.policy.sectors)?;
        let mut chats = self
            .ports
            .chats
            .list_chats(owner, limit + 1, cursor, &filter)
            .await?;
        let next = if chats.len() > limit as usize {
            chats.truncate(limit as usize);
            chats.last().map(|chat| ChatCursor {
                updated_at: chat.updated_at,
                id: chat.id,
            })
        } else {
            None
        };
        Ok((chats, next))
    }

    /// Renames a chat or moves it to another sector (`sector: Some(None)` takes it out
    /// of any); what is absent stays.
    #[allow(
        clippy::option_option,
        reason = "absent (leave), null (clear) and a sector are three different requests"
    )]
    pub async fn update(
        &self,
        owner: UserId,
        id: ChatId,
        title: Option<&str>,
        sector: Option<Option<&str>>,
    ) -> Result<Chat, ChatError> {
        if title.is_none() && sector.is_none() {
            return self
                .ports
                .chats
                .find_chat(owner, id)
                .await?
                .ok_or(ChatError::NotFound);
        }
        let title = title.map(ChatTitle::parse).transpose()?;
        let labels = match sector {
            None => None,
            Some(sector) => {
                let current = self
                    .ports
                    .chats
                    .find_chat(owner, id)
                    .await?
                    .ok_or(ChatError::NotFound)?;
                let sector = sector.map(|s| self.policy.sectors.sector(s)).transpose()?;
                Some(ChatLabels {
                    sector,
                    ..current.labels
                })
            }
        };
        let changes = ChatChanges { title, labels };
        let now = self.ports.clock.now();
        let chat = self
            .ports
            .chats
            .update_chat(owner, id, &changes, now)
            .await?
            .ok_or(ChatError::NotFound)?;
        self.invalidate(id).await;
        Ok(chat)
    }

    /// One batch of the retention sweep: up to `limit` chats last updated before
    /// `before`, each with its search entries removed first, then its messages and
    /// itself, then its cached pages. Returns how many were found and how many deleted
    /// (a chat updated meanwhile is kept, and its search entries, already removed, are
    /// indexed again). Any step may be cut short: the chat is then found again by the
    /// next batch.
    pub async fn expire_chats(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<(usize, u64), ChatError> {
        let due = self.ports.chats.chats_updated_before(before, limit).await?;
        let mut deleted = 0;
        for (owner, id) in &due {
            self.memory
                .forget_chat(*owner, *id)
                .await
                .map_err(|error| match error {
                    MemoryError::Service(error) => ChatError::Service(error),
                    other => ChatError::Service(ServiceError::Unknown(other.into())),
                })?;
            if self.ports.chats.expire_chat(*owner, *id, before).await? {
                self.invalidate(*id).await;
                deleted += 1;
            } else {
                self.index_again(*owner, *id).await?;
            }
        }
        self.ports.telemetry.chats_expired(deleted);
        Ok((due.len(), deleted))
    }

    /// Indexes a kept chat's recent messages again, after the sweep removed its
    /// search entries and then found it updated.
    async fn index_again(&self, owner: UserId, id: ChatId) -> Result<(), ChatError> {
        let messages = self
            .ports
            .chats
            .messages(owner, id, REINDEX_MESSAGES, None)
            .await?;
        self.memory.index_later(owner, id, messages);
        Ok(())
    }

    /// Deletes a chat with its history, cached pages and search entries. The chat goes
    /// first, so that a turn still running cannot write to it any more (its index
    /// entries go again when it sees the chat gone); search entries that cannot be
    /// removed now are removed in the background.
    pub async fn delete(&self, owner: UserId, id: ChatId) -> Result<(), ChatError> {
        if !self.ports.chats.delete_chat(owner, id).await? {
            return Err(ChatError::NotFound);
        }
        self.invalidate(id).await;
        if let Err(error) = self.memory.forget_chat(owner, id).await {
            tracing::warn!(error = %error, chat_id = %id, "search entries of a deleted chat not removed; trying again");
            let memory = self.memory.clone();
            let tasks = self.ports.tasks.clone();
            self.ports.tasks.spawn(Box::pin(async move {
                for pause in [1, 5, 30, 120] {
                    tasks.sleep(std::time::Duration::from_secs(pause)).await;
                    if memory.forget_chat(owner, id).await.is_ok() {
                        return;
                    }
                }
                tracing::error!(chat_id = %id, "search entries of a deleted chat could not be removed");
            }));
        }
        Ok(())
    }
}
