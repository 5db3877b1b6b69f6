//! The MongoDB section: chats and messages.

use polychat_mongo::MongoConfig;

use super::variable::Variable;
use super::{ConfigError, Source, milliseconds, require_scheme};

const MONGODB_URL: Variable = Variable::with_default(
    "MONGODB_URL",
    "mongodb://127.0.0.1:27017",
    "MongoDB (or wire-compatible) connection string",
);
const MONGODB_DATABASE: Variable = Variable::with_default(
    "MONGODB_DATABASE",
    "polychat",
    "the database of chats and messages",
);

const MONGODB_TIMEOUT_MS: Variable = Variable::with_default(
    "MONGODB_TIMEOUT_MS",
    "5000",
    "the longest one MongoDB call may take; a MongoDB that stops answering makes the request a 503 after it",
);

pub(super) const VARIABLES: &[&Variable] = &[&MONGODB_URL, &MONGODB_DATABASE, &MONGODB_TIMEOUT_MS];

pub(super) fn load(source: &Source) -> Result<MongoConfig, ConfigError> {
    let url = source.required_text(&MONGODB_URL)?;
    require_scheme(&MONGODB_URL, &url, &["mongodb", "mongodb+srv"])?;
    let mut config = MongoConfig::new(url.into(), source.required_text(&MONGODB_DATABASE)?);
    config.operation_timeout = milliseconds(source, &MONGODB_TIMEOUT_MS)?;
    Ok(config)
}
