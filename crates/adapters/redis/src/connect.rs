//! Opening the connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use fred::clients::Pool;
use fred::interfaces::ClientLike;
use fred::types::Builder;
use fred::types::config::{Config, ReconnectPolicy, UnresponsiveConfig};
use polychat_domain::ports::{Store, StoreError, StoreTelemetry, Telemetry};
use secrecy::ExposeSecret;

use crate::config::RedisConfig;
use crate::error::store_error;
use crate::script::Scripts;

/// Reconnection backoff: from 100 ms doubling up to 2 s, forever, so the pool comes
/// back by itself whenever Redis does.
const RECONNECT_MIN_MS: u32 = 100;
const RECONNECT_MAX_MS: u32 = 2_000;

/// Why [`connect`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("the Redis URL or settings are invalid")]
    InvalidConfig(#[source] fred::error::Error),
    #[error("Redis did not answer")]
    Unreachable(#[source] fred::error::Error),
    #[error("Redis did not answer within {0:?}")]
    TimedOut(Duration),
    #[error("the Redis TLS settings are invalid: {0}")]
    Tls(String),
}

/// The shared store of caches, revocations, limits and idempotency records. Cheap to
/// clone; clones share the pool.
#[derive(Clone)]
pub struct Redis {
    pub(crate) pool: Pool,
    prefix: Arc<str>,
    pub(crate) cache_ttl: Duration,
    pub(crate) probe_timeout: Duration,
    pub(crate) scripts: Arc<Scripts>,
    telemetry: StoreTelemetry,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("pool", &self.pool)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// This store, reporting its failures to `telemetry`.
    #[must_use]
    pub fn observed(mut self, telemetry: Arc<dyn Telemetry>) -> Self {
        self.telemetry = StoreTelemetry::new(Store::Redis, telemetry);
        self
    }

    /// `error` as the domain's, reported to the telemetry.
    pub(crate) fn failed(&self, error: fred::error::Error) -> StoreError {
        let timed_out = *error.kind() == fred::error::ErrorKind::Timeout;
        let error = store_error(error);
        self.telemetry.observe(&error, timed_out);
        error
    }

    /// The full name of a key: the configured prefix, then `name`.
    pub(crate) fn key(&self, name: fmt::Arguments<'_>) -> String {
        format!("{}{name}", self.prefix)
    }
}

/// fred's settings for the URL, TLS included when the URL asks for it.
fn settings(config: &RedisConfig) -> Result<Config, ConnectError> {
    let (url, tls) = crate::tls::plain_url(config.url.expose_secret());
    let mut settings = Config::from_url(&url).map_err(ConnectError::InvalidConfig)?;
    if tls {
        let connector = crate::tls::connector(config.tls_ca_file.as_deref())?;
        settings.tls = Some(connector.into());
    } else if let Some(ca_file) = &config.tls_ca_file {
        return Err(ConnectError::Tls(format!(
            "a CA file ({}) is set but the URL is not rediss:// or rediss-cluster://",
            ca_file.display()
        )));
    }
    Ok(settings)
}

/// Connects the pool and waits until every connection answers.
///
/// A `redis-cluster://` (or `rediss-cluster://`) URL connects to a Redis Cluster: its
/// host and each `node=host:port` are where the cluster's layout is first asked for.
///
/// # Errors
/// An invalid URL or TLS setting, or Redis not answering within the connect timeout
/// (a TLS handshake that fails counts as not answering). Once connected,
/// later outages are not errors here: the pool reconnects on its own and commands fail
/// with `Unavailable` in the meantime.
pub async fn connect(config: &RedisConfig) -> Result<Redis, ConnectError> {
    let settings = settings(config)?;
    let command_timeout = config.command_timeout;
    let pool = Builder::from_config(settings)
        .with_connection_config(|connection| {
            connection.connection_timeout = config.connect_timeout;
            connection.internal_command_timeout = config.connect_timeout;
            // A connection that stops answering (a host gone without closing its
            // sockets) is dropped and reopened instead of timing out forever.
            connection.unresponsive = UnresponsiveConfig {
                max_timeout: Some(command_timeout * 4),
                interval: (command_timeout / 2).max(Duration::from_millis(50)),
            };
        })
        .with_performance_config(|performance| {
            performance.default_command_timeout = command_timeout;
        })
        .set_policy(ReconnectPolicy::new_exponential(
            0,
            RECONNECT_MIN_MS,
            RECONNECT_MAX_MS,
            2,
        ))
        .build_pool(config.pool_size.max(1))
        .map_err(ConnectError::InvalidConfig)?;
    // `init` gives up after the connection timeout by itself; the outer timeout only
    // guards against a handshake that never ends.
    let deadline = config.connect_timeout * 2;
    match tokio::time::timeout(deadline, pool.init()).await {
        Ok(Ok(_connection_task)) => {}
        Ok(Err(error)) => return Err(ConnectError::Unreachable(error)),
        Err(_) => return Err(ConnectError::TimedOut(deadline)),
    }
    Ok(Redis {
        pool,
        prefix: Arc::from(config.key_prefix.as_str()),
        cache_ttl: config.cache_ttl,
        probe_timeout: config.probe_timeout,
        scripts: Arc::new(Scripts::new()),
        telemetry: StoreTelemetry::default(),
    })
}
