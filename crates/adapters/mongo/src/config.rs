//! Settings of the MongoDB connection.

use std::time::Duration;

use secrecy::SecretString;

/// Where MongoDB is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct MongoConfig {
    /// A `mongodb://` connection string; may hold credentials, hence secret.
    pub url: SecretString,
    /// The database that holds the `chats` and `messages` collections.
    pub database: String,
    /// Time allowed to open one TCP connection.
    pub connect_timeout: Duration,
    /// Time an operation waits for a usable server before failing with
    /// [`StoreError::Unavailable`](polychat_domain::ports::StoreError::Unavailable):
    /// short, so a request fails fast (503) while MongoDB is down.
    pub server_selection_timeout: Duration,
    /// Longest time one driver call (a command, or collecting a cursor) may take; a
    /// server that stopped answering then fails the request as unavailable.
    pub operation_timeout: Duration,
    /// Most connections the pool keeps per server.
    pub max_pool_size: u32,
    /// Time the readiness probe waits for an answer to `ping`.
    pub probe_timeout: Duration,
    /// Name this client reports to the server (visible in its logs and `currentOp`).
    pub app_name: String,
}

impl MongoConfig {
    /// Settings with sensible timeouts for `url` and `database`.
    pub fn new(url: SecretString, database: impl Into<String>) -> Self {
        Self {
            url,
            database: database.into(),
            connect_timeout: Duration::from_secs(5),
            server_selection_timeout: Duration::from_secs(3),
            operation_timeout: Duration::from_secs(5),
            max_pool_size: 20,
            probe_timeout: Duration::from_secs(2),
            app_name: "polychat".to_owned(),
        }
    }
}
