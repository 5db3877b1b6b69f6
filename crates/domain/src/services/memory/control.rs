//! The user's control over what is remembered: list, add, edit, delete.

use super::supersede::Stored;
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
        let embedding = self.embed_statement(&text).await?;
        let kind = match kind {
            Some(kind) => PreferenceKind::parse(kind)?,
            None => self.kind_of(&text),
        };
        let statement = DetectedPreference { text, kind };
        // The same statement already remembered is answered with as it is.
        match self.store(owner, None, statement, embedding).await? {
            Stored::New(preference) | Stored::Existing(preference) => Ok(preference),
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
        let embedding = self.embed_statement(&text).await?;
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

    /// In query form, like `remember` (see there why).
    async fn embed_statement(
        &self,
        text: &PreferenceText,
    ) -> Result<crate::Embedding, MemoryError> {
        let mut vectors = self
            .embed_now(&[text.as_str().to_owned()], EmbeddingPurpose::Query)
            .await?;
        vectors.pop().ok_or_else(|| {
            MemoryError::Service(crate::services::ServiceError::Unknown(anyhow::anyhow!(
                "the embedder returned no vector"
            )))
        })
    }
}
