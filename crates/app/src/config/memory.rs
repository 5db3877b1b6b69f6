//! The memory section: recall and remembering thresholds, the embeddings window,
//! the recall deadline and search's default similarity. The defaults are measured
//! for multilingual-e5-small (docs/memory-detector.md) and equal the domain's.

use std::time::Duration;

use polychat_domain::services::memory::{MemoryPolicy, RecallPolicy};

use super::variable::Variable;
use super::{ConfigError, Source, invalid};

const MEMORY_RECALL_MIN_SIMILARITY: Variable = Variable::with_default(
    "MEMORY_RECALL_MIN_SIMILARITY",
    "0.81",
    "a memory goes with a prompt when at least this similar to it ([docs/memory-detector.md](docs/memory-detector.md))",
);
const MEMORY_SUPERSEDE_SIMILARITY: Variable = Variable::with_default(
    "MEMORY_SUPERSEDE_SIMILARITY",
    "0.97",
    "a new statement this similar to a remembered one replaces it",
);
const SEARCH_MIN_SIMILARITY: Variable = Variable::with_default(
    "SEARCH_MIN_SIMILARITY",
    "0.80",
    "default minimum similarity of a `/messages/search` hit",
);
const EMBEDDINGS_WINDOW_CHARS: Variable = Variable::with_default(
    "EMBEDDINGS_WINDOW_CHARS",
    "1400",
    "the most characters embedded at once (one pass of the embeddings model); a longer prompt or message is embedded by its head and tail",
);
const RECALL_TIMEOUT_MS: Variable = Variable::with_default(
    "RECALL_TIMEOUT_MS",
    "300",
    "the longest a turn waits for its prompt's embedding; after 3 failures in a row turns skip recall at once (`Server-Timing: recall_skipped`) until a background probe gets an answer",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &MEMORY_RECALL_MIN_SIMILARITY,
    &MEMORY_SUPERSEDE_SIMILARITY,
    &SEARCH_MIN_SIMILARITY,
    &EMBEDDINGS_WINDOW_CHARS,
    &RECALL_TIMEOUT_MS,
];

/// What memory and search are configured with.
#[derive(Debug, Clone, Copy)]
pub struct MemoryConfig {
    pub policy: MemoryPolicy,
    /// Default minimum similarity of a `/messages/search` hit.
    pub search_min_similarity: f32,
}

impl MemoryConfig {
    pub(super) fn load(source: &Source) -> Result<Self, ConfigError> {
        let defaults = MemoryPolicy::default();
        let policy = MemoryPolicy {
            recall_min_similarity: similarity(source, &MEMORY_RECALL_MIN_SIMILARITY)?,
            supersede_similarity: similarity(source, &MEMORY_SUPERSEDE_SIMILARITY)?,
            window_chars: source.required(&EMBEDDINGS_WINDOW_CHARS)?,
            recall: RecallPolicy {
                deadline: Duration::from_millis(source.required(&RECALL_TIMEOUT_MS)?),
                ..defaults.recall
            },
            ..defaults
        };
        Ok(Self {
            policy,
            search_min_similarity: similarity(source, &SEARCH_MIN_SIMILARITY)?,
        })
    }
}

fn similarity(source: &Source, variable: &'static Variable) -> Result<f32, ConfigError> {
    let value = source.required(variable)?;
    if (-1.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            variable.name,
            "must be a cosine similarity between -1 and 1",
        ))
    }
}
