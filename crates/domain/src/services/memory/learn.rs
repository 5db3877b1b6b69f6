//! The chat side of memory: recall before the model call, remember what was detected,
//! and index messages for semantic search after the response.

use std::time::Duration;

use futures_util::future::{Either, join, select};

use super::MemoryService;
use super::bounded::within_window;
use super::supersede::Stored;
use crate::ports::{DetectedPreference, EmbeddingPurpose, IndexedMessage};
use crate::timeline::Timeline;
use crate::{ChatId, Embedding, Message, PreferenceKind, Prompt, UserId, UserPreference};

/// What memory contributes to one prompt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recall {
    /// Preferences to put in the model's context.
    pub used: Vec<UserPreference>,
    /// Durable statements found in the prompt, to remember.
    pub detected: Vec<DetectedPreference>,
}

impl MemoryService {
    /// Embeds the prompt once, detects durable statements in it and finds the user's
    /// relevant preferences plus the newest active style preferences (`style_limit`).
    /// The embedding and the lookups are timed on `timeline` (`embed`, `preferences`).
    pub async fn recall(&self, owner: UserId, prompt: &Prompt, timeline: &Timeline) -> Recall {
        let embedding = self.embed_prompt(prompt, timeline).await;
        let detected = self
            .ports
            .detector
            .detect(prompt.as_str(), embedding.as_ref());
        let Some(embedding) = embedding else {
            return Recall {
                used: Vec::new(),
                detected,
            };
        };
        let lookups = join(
            self.ports.preferences.nearest(
                owner,
                &embedding,
                self.policy.recall_limit,
                self.policy.recall_min_similarity,
            ),
            self.ports.preferences.active_of_kind(
                owner,
                PreferenceKind::Style,
                self.policy.style_limit,
            ),
        );
        let (nearest, active) = timeline.time("preferences", lookups).await;
        let mut used: Vec<UserPreference> = match active {
            Ok(styles) => styles,
            Err(error) => {
                tracing::warn!(error = %error, "preference store unavailable; answering without memories");
                return Recall {
                    used: Vec::new(),
                    detected,
                };
            }
        };
        match nearest {
            Ok(scored) => {
                for hit in scored {
                    if !used.iter().any(|p| p.id == hit.preference.id) {
                        used.push(hit.preference);
                    }
                }
            }
            Err(error) => tracing::warn!(error = %error, "preference search failed"),
        }
        Recall { used, detected }
    }

    /// The prompt's query embedding (of what fits the model's window), unless the
    /// embeddings service fails, misses the recall deadline or its breaker is open; a
    /// skipped recall shows in `Server-Timing` as `recall_skipped`.
    async fn embed_prompt(&self, prompt: &Prompt, timeline: &Timeline) -> Option<Embedding> {
        if self.breaker.is_open() {
            timeline.record("recall_skipped", Duration::ZERO);
            tracing::debug!("embeddings breaker open; answering without memories");
            return None;
        }
        let texts = [within_window(prompt.as_str(), self.policy.window_chars).into_owned()];
        let embed = std::pin::pin!(self.embed_now(&texts, EmbeddingPurpose::Query));
        let deadline = self.ports.tasks.sleep(self.policy.recall.deadline);
        match timeline.time("embed", select(embed, deadline)).await {
            Either::Left((Ok(mut vectors), _)) => {
                self.breaker.succeeded();
                vectors.pop()
            }
            Either::Left((Err(error), _)) => {
                tracing::warn!(error = %error, "embeddings unavailable; answering without memories");
                timeline.record("recall_skipped", Duration::ZERO);
                self.recall_failed();
                None
            }
            Either::Right(_) => {
                tracing::warn!(
                    deadline_ms = self.policy.recall.deadline.as_millis(),
                    "embeddings too slow for the recall deadline; answering without memories"
                );
                timeline.record("recall_skipped", Duration::ZERO);
                self.recall_failed();
                None
            }
        }
    }

    /// Stores detected statements (see `supersede` for what a new statement replaces;
    /// one already remembered is left as it is). Returns what was saved.
    ///
    /// Statements are embedded in query form, like the prompts they are matched with:
    /// both are short user utterances, and e5 separates related from unrelated pairs
    /// better that way (docs/memory-detector.md, "Similarity thresholds").
    pub async fn remember(
        &self,
        owner: UserId,
        source_chat: Option<ChatId>,
        detected: Vec<DetectedPreference>,
    ) -> Vec<UserPreference> {
        if detected.is_empty() {
            return Vec::new();
        }
        let window = self.policy.window_chars;
        let texts: Vec<String> = detected
            .iter()
            .map(|d| within_window(d.text.as_str(), window).into_owned())
            .collect();
        let embeddings = match self.embed_now(&texts, EmbeddingPurpose::Query).await {
            Ok(embeddings) => embeddings,
            Err(error) => {
                tracing::warn!(error = %error, "embeddings unavailable; detected preferences not saved");
                return Vec::new();
            }
        };
        let mut saved = Vec::new();
        for (statement, embedding) in detected.into_iter().zip(embeddings) {
            match self.store(owner, source_chat, statement, embedding).await {
                Ok(Stored::New(preference)) => saved.push(preference),
                Ok(Stored::Existing(_)) => {}
                Err(error) => tracing::warn!(error = %error, "preference not saved"),
            }
        }
        saved
    }

    /// Embeds (within the model's window) and indexes messages for semantic search;
    /// whether they were indexed.
    pub(super) async fn index_messages(&self, owner: UserId, messages: &[Message]) -> bool {
        let window = self.policy.window_chars;
        let texts: Vec<String> = messages
            .iter()
            .map(|m| within_window(&m.content, window).into_owned())
            .collect();
        let embeddings = match self
            .embed_in_background(&texts, EmbeddingPurpose::Passage)
            .await
        {
            Ok(embeddings) => embeddings,
            Err(error) => {
                tracing::warn!(error = %error, "embeddings unavailable; messages not indexed for search yet");
                return false;
            }
        };
        let entries: Vec<IndexedMessage> = messages
            .iter()
            .zip(embeddings)
            .map(|(message, embedding)| IndexedMessage {
                owner,
                chat_id: message.chat_id,
                message_id: message.id,
                role: message.role,
                content: message.content.clone(),
                created_at: message.created_at,
                embedding,
            })
            .collect();
        match self.ports.messages.index(&entries).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(error = %error, "message index unavailable; messages not indexed yet");
                false
            }
        }
    }
}
