//! Storing one statement: skipped when it is already remembered; otherwise inserted,
//! and the active statements it rewords or contradicts are superseded (the newest
//! statement wins).

use super::MemoryService;
use super::aspect::{contradicts, words};
use crate::ports::{DetectedPreference, StoreError};
use crate::{ChatId, Embedding, PreferenceId, UserId, UserPreference};

/// Rewordings looked at by similarity.
const CANDIDATES: u32 = 10;

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
        let similar = store
            .nearest(
                owner,
                &embedding,
                CANDIDATES,
                self.policy.supersede_similarity,
            )
            .await?;
        let text = statement.text.as_str();
        if let Some(same) = similar.iter().find(|hit| {
            hit.preference.kind == statement.kind
                && words(hit.preference.text.as_str()) == words(text)
        }) {
            return Ok(Stored::Existing(same.preference.clone()));
        }
        let mut replaced: Vec<PreferenceId> = similar.iter().map(|hit| hit.preference.id).collect();
        // Contradictions can be far apart in meaning ("short answers" vs "long detailed
        // answers"), so they are looked for among all active statements; a user has tens
        // of them, and statements are stored far less often than prompts are sent.
        for old in store.list_active(owner).await? {
            if !replaced.contains(&old.id)
                && contradicts(text, statement.kind, old.text.as_str(), old.kind)
            {
                replaced.push(old.id);
            }
        }
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
