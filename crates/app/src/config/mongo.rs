//! The MongoDB section: chats and messages.

use polychat_mongo::MongoConfig;

use super::variable::Variable;
use super::{ConfigError, Source, require_scheme};

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

pub(super) const VARIABLES: &[&Variable] = &[&MONGODB_URL, &MONGODB_DATABASE];

pub(super) fn load(source: &Source) -> Result<MongoConfig, ConfigError> {
    let url = source.required_text(&MONGODB_URL)?;
    require_scheme(&MONGODB_URL, &url, &["mongodb", "mongodb+srv"])?;
    Ok(MongoConfig::new(
        url.into(),
        source.required_text(&MONGODB_DATABASE)?,
    ))
}
