//! The PostgreSQL section: users, keys, registries, usage and the vectors.

use polychat_postgres::PostgresConfig;

use super::variable::Variable;
use super::{ConfigError, Source, milliseconds, require_scheme};

const DATABASE_URL: Variable = Variable::with_default(
    "DATABASE_URL",
    "postgres://polychat:polychat@127.0.0.1:5432/polychat",
    "PostgreSQL with pgvector",
);
const DATABASE_MAX_CONNECTIONS: Variable = Variable::with_default(
    "DATABASE_MAX_CONNECTIONS",
    "16",
    "PostgreSQL connections each replica keeps at most",
);

const DATABASE_TIMEOUT_MS: Variable = Variable::with_default(
    "DATABASE_TIMEOUT_MS",
    "5000",
    "the longest a request waits for a PostgreSQL connection, and each statement's `statement_timeout`; a PostgreSQL that stops answering makes the request a 503 a second after it",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &DATABASE_URL,
    &DATABASE_MAX_CONNECTIONS,
    &DATABASE_TIMEOUT_MS,
];

pub(super) fn load(source: &Source) -> Result<PostgresConfig, ConfigError> {
    let url = source.required_text(&DATABASE_URL)?;
    require_scheme(&DATABASE_URL, &url, &["postgres", "postgresql"])?;
    let mut config = PostgresConfig::new(url.into());
    config.max_connections = source.required(&DATABASE_MAX_CONNECTIONS)?;
    let timeout = milliseconds(source, &DATABASE_TIMEOUT_MS)?;
    config.acquire_timeout = timeout;
    config.statement_timeout = timeout;
    Ok(config)
}
