//! The OpenRouter section: the OpenAI-compatible gateway the models are called on.

use std::time::Duration;

use polychat_openrouter::OpenRouterConfig;

use super::variable::Variable;
use super::{ConfigError, Source, invalid, require_scheme};

const OPENROUTER_BASE_URL: Variable = Variable::with_default(
    "OPENROUTER_BASE_URL",
    "https://openrouter.ai/api/v1",
    "OpenAI-compatible chat API (keys are checked at its `/key`)",
);
const OPENROUTER_REFERER: Variable = Variable::optional(
    "OPENROUTER_REFERER",
    "`HTTP-Referer` attribution header sent to OpenRouter",
);
const OPENROUTER_TITLE: Variable = Variable::with_default(
    "OPENROUTER_TITLE",
    "polychat",
    "`X-Title` attribution header sent to OpenRouter",
);
const LLM_TIMEOUT_SECONDS: Variable = Variable::with_default(
    "LLM_TIMEOUT_SECONDS",
    "120",
    "total deadline of one model call, 1 to 86400",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &OPENROUTER_BASE_URL,
    &OPENROUTER_REFERER,
    &OPENROUTER_TITLE,
    &LLM_TIMEOUT_SECONDS,
];

/// The longest wait for a model: a day, far below what `Instant + Duration` can hold.
const MAX_LLM_TIMEOUT_SECONDS: u64 = 86_400;

pub(super) fn load(source: &Source) -> Result<OpenRouterConfig, ConfigError> {
    let base_url = source.required_text(&OPENROUTER_BASE_URL)?;
    require_scheme(&OPENROUTER_BASE_URL, &base_url, &["http", "https"])?;
    let mut config = OpenRouterConfig::new(base_url);
    config.referer = source.text(&OPENROUTER_REFERER).map(str::to_owned);
    config.title = source.text(&OPENROUTER_TITLE).map(str::to_owned);
    config.total_timeout = match source.required(&LLM_TIMEOUT_SECONDS)? {
        0 => return Err(invalid(LLM_TIMEOUT_SECONDS.name, "must be at least 1")),
        seconds if seconds > MAX_LLM_TIMEOUT_SECONDS => {
            return Err(invalid(
                LLM_TIMEOUT_SECONDS.name,
                format!("must be at most {MAX_LLM_TIMEOUT_SECONDS} (a day)"),
            ));
        }
        seconds => Duration::from_secs(seconds),
    };
    Ok(config)
}
