//! Settings of the PostgreSQL adapter, loaded once by the app and passed in.

use std::time::Duration;

use secrecy::SecretString;

/// How to reach PostgreSQL and how patient to be with it.
#[derive(Debug, Clone)]
pub struct PostgresConfig {
    /// `postgres://user:password@host:port/database`; secret because it holds the password.
    pub url: SecretString,
    /// Upper bound of pooled connections held by this process.
    pub max_connections: usize,
    /// Longest time to open one connection and run its setup.
    pub connect_timeout: Duration,
    /// Longest time a request waits for a pooled connection, opening one included.
    pub acquire_timeout: Duration,
    /// Set as `statement_timeout` on every pooled connection, so a runaway query cannot
    /// hold a connection forever. Migrations run without it.
    pub statement_timeout: Duration,
    /// Longest time the readiness probe waits for `SELECT 1`.
    pub health_timeout: Duration,
}

impl PostgresConfig {
    /// Settings with defaults suited to one app replica: 16 connections, 5 s to
    /// connect or acquire, 10 s per statement, 2 s for the readiness probe.
    pub fn new(url: SecretString) -> Self {
        Self {
            url,
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
            health_timeout: Duration::from_secs(2),
        }
    }
}
