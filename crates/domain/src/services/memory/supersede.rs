//! Storing one statement: skipped when it is already remembered; otherwise inserted,
//! and the active statements it rewords or contradicts are superseded (the newest
//! statement wins).

use super::MemoryService;
use super::aspect::{contradicts, words};
use crate::ports::{DetectedPreference, StoreError};
use crate::{ChatId, Embedding, PreferenceId, UserId, UserPreference};

/// What happened to a statement.
pub(super) enum Stored {
    /// Inserted (possibly superseding others).
    New(UserPreference),
    /// The same statement was already active; nothing changed.
    Existing(UserPreference),
}

impl MemoryService {
    /// Inserts one statement, superseding the active ones it rewords (similarity at or
    /// above `supersede_similarity`, any kind) or contradicts (`aspect::contradicts`).
    pub(super) async fn store(
        &self,
        owner: UserId,
        source_chat: Option<ChatId>,
        statement: DetectedPreference,
        embedding: Embedding,
    ) -> Result<Stored, StoreError> {
        let store = &self.ports.preferences;
        // One read of the active statements serves both rules: rewordings by
        // similarity and contradictions, which can be far apart in meaning ("short
        // answers" vs "long detailed answers"). A user has tens of them, and statements
        // are stored far less often than prompts are sent.
        let active = store.list_active(owner).await?;
        let text = statement.text.as_str();
        let text_words = words(text);
        let threshold = self.policy.supersede_similarity;
        let rewords = |old: &UserPreference| embedding.cosine(&old.embedding) >= threshold;
        if let Some(same) = active.iter().find(|old| {
            rewords(old) && old.kind == statement.kind && words(old.text.as_str()) == text_words
        }) {
            return Ok(Stored::Existing(same.clone()));
        }
        let replaced: Vec<PreferenceId> = active
            .iter()
            .filter(|old| {
                rewords(old) || contradicts(text, statement.kind, old.text.as_str(), old.kind)
            })
            .map(|old| old.id)
            .collect();
        let now = self.ports.clock.now();
        let preference = UserPreference {
            id: PreferenceId::generate(),
            owner,
            text: statement.text,
            kind: statement.kind,
            embedding,
            source_chat_id: source_chat,
            superseded_by: None,
            created_at: now,
            updated_at: now,
        };
        store.insert(&preference).await?;
        for old in replaced {
            store.supersede(owner, old, preference.id, now).await?;
        }
        Ok(Stored::New(preference))
    }
}
