//! Memory: what the service remembers about each user. Durable statements are detected
//! in prompts, embedded and stored; the relevant ones (and every style instruction) are
//! recalled to enrich later prompts; users can list, add, edit and delete them.
//!
//! Memory never breaks a chat: when the embeddings server or the vector store is down,
//! recall and remember log a warning and return nothing, and recall never waits for
//! the embeddings server longer than its own deadline (`breaker`). What is embedded is
//! bounded by the model's window (`bounded`), and background indexing yields the
//! embeddings server to calls someone waits for (`lanes`).

mod aspect;
mod bounded;
mod breaker;
mod control;
mod lanes;
mod learn;
mod queue;
mod supersede;

use std::sync::Arc;

use crate::ValidationError;
use crate::ports::{
    ChatRepository, Clock, Embedder, MessageIndex, PreferenceDetector, PreferenceStore, Tasks,
};
use crate::services::ServiceError;

pub use breaker::RecallPolicy;
pub use learn::Recall;
pub use queue::{QueueDepth, QueuePolicy};

/// multilingual-e5-small reads 510 tokens in one pass (a longer text costs one pass per
/// 510 tokens); the pt, en and es prompts of the detector's corpora average 3.1 to 3.4
/// characters a token with its tokenizer, so this stays inside one pass with room for
/// denser text (code, numbers).
const DEFAULT_WINDOW_CHARS: usize = 1_400;

/// Thresholds and sizes of recall and deduplication.
#[derive(Debug, Clone, Copy)]
pub struct MemoryPolicy {
    /// At most this many preferences recalled by similarity (style ones come on top).
    pub recall_limit: u32,
    /// At most this many style preferences (the newest) go with every prompt.
    pub style_limit: u32,
    /// Minimum cosine similarity between prompt and preference (both embedded in query
    /// form) to recall it.
    pub recall_min_similarity: f32,
    /// A new statement this similar to an active one is a
    /// rewording of it and replaces it: the newest statement wins. Contradictions that
    /// score lower are caught by rules (`aspect`).
    pub supersede_similarity: f32,
    /// The most characters of a text embedded at once: what the embeddings model reads
    /// in one pass. A longer prompt or message is embedded by its head and tail.
    pub window_chars: usize,
    pub recall: RecallPolicy,
    pub queue: QueuePolicy,
}

impl Default for MemoryPolicy {
    /// Measured with multilingual-e5-small on pt/en/es examples
    /// (`docs/memory-detector.md`, "Similarity thresholds").
    fn default() -> Self {
        Self {
            recall_limit: 5,
            style_limit: 10,
            recall_min_similarity: 0.81,
            supersede_similarity: 0.97,
            window_chars: DEFAULT_WINDOW_CHARS,
            recall: RecallPolicy::default(),
            queue: QueuePolicy::default(),
        }
    }
}

/// Why a memory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("preference not found")]
    NotFound,
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::ports::StoreError> for MemoryError {
    fn from(error: crate::ports::StoreError) -> Self {
        Self::Service(error.into())
    }
}

impl From<crate::ports::EmbedError> for MemoryError {
    fn from(error: crate::ports::EmbedError) -> Self {
        Self::Service(ServiceError::Unavailable(error.into()))
    }
}

/// The ports memory needs.
#[derive(Clone)]
pub struct MemoryPorts {
    pub preferences: Arc<dyn PreferenceStore>,
    pub messages: Arc<dyn MessageIndex>,
    pub embedder: Arc<dyn Embedder>,
    pub detector: Arc<dyn PreferenceDetector>,
    pub clock: Arc<dyn Clock>,
    /// Where the breaker's probe and the index queue's workers run, and the recall
    /// deadline's timer.
    pub tasks: Arc<dyn Tasks>,
    /// Where messages recorded by the index queue are read back from.
    pub chats: Arc<dyn ChatRepository>,
}

/// The memory use case.
#[derive(Clone)]
pub struct MemoryService {
    ports: MemoryPorts,
    policy: MemoryPolicy,
    breaker: Arc<breaker::Breaker>,
    queue: Arc<queue::IndexQueue>,
    lanes: Arc<lanes::Lanes>,
}

impl MemoryService {
    pub fn new(ports: MemoryPorts, policy: MemoryPolicy) -> Self {
        Self {
            ports,
            policy,
            breaker: Arc::default(),
            queue: Arc::default(),
            lanes: Arc::default(),
        }
    }
}
