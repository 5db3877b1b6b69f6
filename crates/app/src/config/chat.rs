//! The chat section: the default model, the longest answer, the sectors chats are
//! labelled with, the answers a user may have in progress.

use std::time::Duration;

use polychat_domain::services::chat::ChatPolicy;
use polychat_domain::{ModelName, Sectors};

use super::variable::Variable;
use super::{ConfigError, Source, invalid};

const DEFAULT_MODEL: Variable = Variable::with_default(
    "DEFAULT_MODEL",
    "openai/gpt-4o-mini",
    "model used when neither the request nor the profile names one",
);
const MAX_ANSWER_TOKENS: Variable = Variable::with_default(
    "MAX_ANSWER_TOKENS",
    "4096",
    "the longest answer asked of a model (`max_tokens`); a client's own `max_tokens` is capped to it",
);
const SECTORS: Variable = Variable::with_default(
    "SECTORS",
    Sectors::DEFAULT,
    "sectors a chat may be labelled with (comma-separated)",
);

const MAX_GENERATIONS_PER_USER: Variable = Variable::with_default(
    "MAX_GENERATIONS_PER_USER",
    "8",
    "answers one user may have in progress at once, streamed or whole, over every replica (counted in Redis); one more is 429 `too_many_streams`; 0 for no limit",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &DEFAULT_MODEL,
    &MAX_ANSWER_TOKENS,
    &SECTORS,
    &MAX_GENERATIONS_PER_USER,
];

/// More than any model answers in one go.
const MAX_ANSWER_TOKENS_LIMIT: u32 = 1_000_000;

/// How long a resumed stream waits beyond the model's own deadline for the answer.
const RESUME_GRACE: Duration = Duration::from_secs(30);

/// The chat policy; a resumed stream waits for an answer at most as long as writing
/// it may take (`llm_timeout`).
pub(super) fn load(source: &Source, llm_timeout: Duration) -> Result<ChatPolicy, ConfigError> {
    let default_model = ModelName::parse(&source.required_text(&DEFAULT_MODEL)?)
        .map_err(|e| invalid(DEFAULT_MODEL.name, e.reason))?;
    let max_tokens = source.required(&MAX_ANSWER_TOKENS)?;
    if !(1..=MAX_ANSWER_TOKENS_LIMIT).contains(&max_tokens) {
        return Err(invalid(
            MAX_ANSWER_TOKENS.name,
            format!("must be between 1 and {MAX_ANSWER_TOKENS_LIMIT}"),
        ));
    }
    let sectors = Sectors::parse(&source.required_text(&SECTORS)?)
        .map_err(|e| invalid(SECTORS.name, e.reason))?;
    let generations: u32 = source.required(&MAX_GENERATIONS_PER_USER)?;
    Ok(ChatPolicy {
        sectors,
        generations_per_user: (generations > 0).then_some(generations),
        resume_wait: llm_timeout + RESUME_GRACE,
        max_tokens: Some(max_tokens),
        ..ChatPolicy::new(default_model)
    })
}
