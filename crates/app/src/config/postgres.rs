//! The PostgreSQL section: users, keys, registries, usage and the vectors.

use polychat_postgres::PostgresConfig;

use super::variable::Variable;
use super::{ConfigError, Source, require_scheme};

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

pub(super) const VARIABLES: &[&Variable] = &[&DATABASE_URL, &DATABASE_MAX_CONNECTIONS];

pub(super) fn load(source: &Source) -> Result<PostgresConfig, ConfigError> {
    let url = source.required_text(&DATABASE_URL)?;
    require_scheme(&DATABASE_URL, &url, &["postgres", "postgresql"])?;
    let mut config = PostgresConfig::new(url.into());
    config.max_connections = source.required(&DATABASE_MAX_CONNECTIONS)?;
    Ok(config)
}
