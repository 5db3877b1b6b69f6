//! Settings of the Redis connection and of what is kept there.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

/// Where Redis is, how long to wait for it, and how keys are named.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// A `redis://` URL, `rediss://` for TLS, or `redis-cluster://host:port?node=host:port&…`
    /// (`rediss-cluster://` with TLS) for a Redis Cluster; may hold a password, hence secret.
    pub url: SecretString,
    /// With a TLS URL, the PEM file of the CA (or CAs) to trust instead of the system's
    /// root certificates, for a Redis whose certificate a private CA issued. Refused with
    /// a URL that is not TLS, so a CA set by mistake never leaves the connection plain.
    pub tls_ca_file: Option<PathBuf>,
    /// Put in front of every key, so several deployments (or tests) share one Redis.
    pub key_prefix: String,
    /// Connections in the pool; commands are spread over them round-robin.
    pub pool_size: usize,
    /// Time allowed to open a connection (also for each reconnection attempt).
    pub connect_timeout: Duration,
    /// Time one command may take before it fails as unavailable.
    pub command_timeout: Duration,
    /// Time the readiness probe waits for `PONG`.
    pub probe_timeout: Duration,
    /// How long a cached history page lives after it was stored.
    pub cache_ttl: Duration,
}

impl RedisConfig {
    /// Settings with sensible timeouts for `url`.
    pub fn new(url: SecretString) -> Self {
        Self {
            url,
            tls_ca_file: None,
            key_prefix: "polychat:".to_owned(),
            pool_size: 4,
            connect_timeout: Duration::from_secs(3),
            command_timeout: Duration::from_millis(500),
            probe_timeout: Duration::from_secs(1),
            cache_ttl: Duration::from_mins(10),
        }
    }
}
