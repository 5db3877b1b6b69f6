//! The user's control over what is remembered: list, add, edit, delete.

use super::{MemoryError, MemoryService};
use crate::ports::{DetectedPreference, EmbeddingPurpose};
use crate::{ChatId, PreferenceId, PreferenceKind, PreferenceText, UserId, UserPreference};

impl MemoryService {
    /// The user's active preferences, newest first.
    pub async fn list(&self, owner: UserId) -> Result<Vec<UserPreference>, MemoryError> {
        Ok(self.ports.preferences.list_active(owner).await?)
    }

    /// Remembers a statement the user entered directly. Without an explicit kind, the
    /// detector's kind for the text is used, else `preference`.
    pub async fn add(
        &self,
        owner: UserId,
        text: &str,
        kind: Option<&str>,
    ) -> Result<UserPreference, MemoryError> {
        let text = PreferenceText::parse(text)?;
        let embedding = self.embed_passage(&text).await?;
        let kind = match kind {
            Some(kind) => PreferenceKind::parse(kind)?,
            None => self.kind_of(&text),
        };
        let statement = DetectedPreference { text, kind };
        let stored = self
            .store(owner, None, statement.clone(), embedding)
            .await?;
        match stored {
            Some(preference) => Ok(preference),
            // The same statement is already remembered: answer with it.
            None => self
                .list(owner)
                .await?
                .into_iter()
                .find(|p| p.kind == statement.kind && p.text == statement.text)
                .ok_or(MemoryError::NotFound),
        }
    }

    /// Rewrites a preference's text (its kind is re-derived unless given).
    pub async fn edit(
        &self,
        owner: UserId,
        id: PreferenceId,
        text: &str,
        kind: Option<&str>,
    ) -> Result<UserPreference, MemoryError> {
        let text = PreferenceText::parse(text)?;
        let existing = self
            .ports
            .preferences
            .find(owner, id)
            .await?
            .filter(|p| p.superseded_by.is_none())
            .ok_or(MemoryError::NotFound)?;
        let kind = match kind {
            Some(kind) => PreferenceKind::parse(kind)?,
            None => existing.kind,
        };
        let embedding = self.embed_passage(&text).await?;
        let now = self.ports.clock.now();
        self.ports
            .preferences
            .update(owner, id, &text, kind, &embedding, now)
            .await?
            .ok_or(MemoryError::NotFound)
    }

    /// Forgets a preference for good.
    pub async fn delete(&self, owner: UserId, id: PreferenceId) -> Result<(), MemoryError> {
        if self.ports.preferences.delete(owner, id).await? {
            Ok(())
        } else {
            Err(MemoryError::NotFound)
        }
    }

    /// Removes a deleted chat's messages from the search index. Preferences learned
    /// from the chat stay: they describe the user, not the chat.
    pub async fn forget_chat(&self, owner: UserId, chat: ChatId) -> Result<(), MemoryError> {
        Ok(self.ports.messages.delete_chat(owner, chat).await?)
    }

    fn kind_of(&self, text: &PreferenceText) -> PreferenceKind {
        self.ports
            .detector
            .detect(text.as_str(), None)
            .first()
            .map_or(PreferenceKind::Preference, |d| d.kind)
    }

    async fn embed_passage(&self, text: &PreferenceText) -> Result<crate::Embedding, MemoryError> {
        let mut vectors = self
            .ports
            .embedder
            .embed(&[text.as_str().to_owned()], EmbeddingPurpose::Passage)
            .await?;
        vectors.pop().ok_or_else(|| {
            MemoryError::Service(crate::services::ServiceError::Unknown(anyhow::anyhow!(
                "the embedder returned no vector"
            )))
        })
    }
}
