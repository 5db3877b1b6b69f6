//! Typed configuration, read once at start-up from the environment and an optional
//! `.env` file (a variable set in the environment always wins).
//!
//! Each section builds its part (an adapter's own config, or a use case's policy)
//! from the variables it declares; [`VARIABLES`] lists them all, the README's table
//! is generated from that list. Every value is checked here, so a bad deployment
//! stops with one line naming the variable instead of failing on the first request.

use std::time::Duration;

use polychat_domain::services::chat::ChatPolicy;
use polychat_mongo::MongoConfig;
use polychat_openrouter::{EmbeddingsConfig, OpenRouterConfig};
use polychat_postgres::PostgresConfig;
use polychat_redis::RedisConfig;
use polychat_webhook::NetworkPolicy;

mod accounts;
mod chat;
mod embeddings;
mod issuers;
mod memory;
mod mongo;
mod openrouter;
mod postgres;
mod redis;
mod retention;
mod secrets;
mod server;
mod source;
mod variable;
mod webhooks;

pub use issuers::IssuersConfig;
pub use memory::MemoryConfig;
pub use retention::RetentionConfig;
pub use secrets::SecretsConfig;
pub use server::{LogFormat, ServerConfig};
pub use source::Source;
pub use variable::{Fallback, Variable};

/// A configuration value that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// Every variable the service reads, section by section, in the README's order.
pub const VARIABLES: &[&[&Variable]] = &[
    server::VARIABLES,
    postgres::VARIABLES,
    mongo::VARIABLES,
    redis::VARIABLES,
    openrouter::VARIABLES,
    embeddings::VARIABLES,
    secrets::VARIABLES,
    accounts::VARIABLES,
    issuers::VARIABLES,
    chat::VARIABLES,
    memory::VARIABLES,
    webhooks::VARIABLES,
    retention::VARIABLES,
];

/// Every variable, one after the other.
pub fn variables() -> impl Iterator<Item = &'static Variable> {
    VARIABLES.iter().flat_map(|section| section.iter().copied())
}

/// Everything the service needs to start, by section.
#[derive(Debug)]
pub struct AppConfig {
    pub server: ServerConfig,
    pub postgres: PostgresConfig,
    pub mongo: MongoConfig,
    pub redis: RedisConfig,
    pub openrouter: OpenRouterConfig,
    pub embeddings: EmbeddingsConfig,
    pub secrets: SecretsConfig,
    pub bcrypt_cost: u32,
    pub issuers: IssuersConfig,
    pub chat: ChatPolicy,
    pub memory: MemoryConfig,
    /// The networks webhooks may reach besides public addresses.
    pub webhook_networks: NetworkPolicy,
    pub retention: RetentionConfig,
}

impl AppConfig {
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let openrouter = openrouter::load(source)?;
        Ok(Self {
            server: ServerConfig::load(source)?,
            postgres: postgres::load(source)?,
            mongo: mongo::load(source)?,
            redis: redis::load(source)?,
            chat: chat::load(source, openrouter.total_timeout)?,
            openrouter,
            embeddings: embeddings::load(source)?,
            secrets: SecretsConfig::load(source)?,
            bcrypt_cost: accounts::bcrypt_cost(source)?,
            issuers: IssuersConfig::load(source)?,
            memory: MemoryConfig::load(source)?,
            webhook_networks: webhooks::load(source)?,
            retention: RetentionConfig::load(source)?,
        })
    }
}

fn require_scheme(
    variable: &'static Variable,
    url: &str,
    schemes: &[&str],
) -> Result<(), ConfigError> {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme);
    match scheme {
        Some(s) if schemes.contains(&s) => Ok(()),
        _ => Err(invalid(
            variable.name,
            format!("must be a URL starting with {}://", schemes.join(":// or ")),
        )),
    }
}

/// A positive number of milliseconds, as a duration.
fn milliseconds(source: &Source, variable: &'static Variable) -> Result<Duration, ConfigError> {
    match source.required(variable)? {
        0 => Err(invalid(variable.name, "must be at least 1")),
        millis => Ok(Duration::from_millis(millis)),
    }
}

#[cfg(test)]
mod tests;
