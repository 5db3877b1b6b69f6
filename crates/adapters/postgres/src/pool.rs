//! The connection pool: how connections are opened and set up, and the [`Postgres`]
//! handle that implements the ports on top of it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use diesel::ConnectionError;
use diesel::QueryResult;
use diesel::result::Error as DieselError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use polychat_domain::ports::{HealthProbe, Store, StoreError, StoreTelemetry, Telemetry};
use secrecy::ExposeSecret;

use crate::config::PostgresConfig;
use crate::error::{
    PostgresError, deadline_passed, is_statement_timeout, store_error, unavailable,
};
use crate::search::session_scan_settings;

/// Shown in `pg_stat_activity`, so operators can tell the app's sessions apart.
const APPLICATION_NAME: &str = "polychat";

/// How much longer than `statement_timeout` a query may take before the app stops
/// waiting: PostgreSQL normally cancels a slow statement first, with its own error.
const DEADLINE_MARGIN: Duration = Duration::from_secs(1);

/// A pooled connection.
pub(crate) type PgConn = Object<AsyncPgConnection>;

/// The PostgreSQL adapter: users, preferences and the message index over one pool.
/// Cloning is cheap and shares the pool.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool<AsyncPgConnection>,
    acquire_timeout: Duration,
    health_timeout: Duration,
    /// The deadline of each query (see [`Within`]).
    pub(crate) deadline: Duration,
    telemetry: StoreTelemetry,
}

impl fmt::Debug for Postgres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("Postgres")
            .field("max_size", &status.max_size)
            .field("size", &status.size)
            .field("available", &status.available)
            .finish_non_exhaustive()
    }
}

/// Builds the pool and opens one connection, so a wrong URL or an unreachable server
/// fails at startup rather than on the first request.
pub async fn connect(config: &PostgresConfig) -> Result<Postgres, PostgresError> {
    if config.max_connections == 0 {
        return Err(PostgresError::Config(
            "max_connections must be at least 1".into(),
        ));
    }
    let settings = session_settings(config.statement_timeout);
    let connect_timeout = config.connect_timeout;
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    manager_config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        let settings = settings.clone();
        Box::pin(async move { open(&url, &settings, connect_timeout).await })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        config.url.expose_secret(),
        manager_config,
    );
    let pool = Pool::builder(manager)
        .max_size(config.max_connections)
        .build()
        .map_err(|err| PostgresError::Config(err.to_string()))?;
    let postgres = Postgres {
        pool,
        acquire_timeout: config.acquire_timeout,
        health_timeout: config.health_timeout,
        deadline: config.statement_timeout + DEADLINE_MARGIN,
        telemetry: StoreTelemetry::default(),
    };
    // The connection only proves the server answers; it goes straight back to the pool.
    drop(
        postgres
            .conn()
            .await
            .map_err(|err| PostgresError::Unavailable(err.into()))?,
    );
    tracing::info!(
        max_connections = config.max_connections,
        "connected to PostgreSQL"
    );
    Ok(postgres)
}

/// `within` on every query future. `statement_timeout` is enforced by the server, so it
/// does nothing when the server (or the network before it) stops answering: a query
/// would then wait for ever, holding its request and its connection. The deadline fails
/// it as a statement timeout instead (unavailable, 503, counted as a timeout); the
/// connection is verified again before the pool hands it out next.
pub(crate) trait Within<T>: Future<Output = QueryResult<T>> + Sized {
    /// This query, failing as a statement timeout when `limit` passes first.
    async fn within(self, limit: Duration) -> QueryResult<T> {
        tokio::time::timeout(limit, self)
            .await
            .unwrap_or_else(|_| Err(deadline_passed(limit)))
    }
}

impl<T, F: Future<Output = QueryResult<T>>> Within<T> for F {}

/// The statements every pooled connection runs once after opening.
fn session_settings(statement_timeout: Duration) -> String {
    format!(
        "SET statement_timeout = {}; SET application_name = '{APPLICATION_NAME}'; {}",
        statement_timeout.as_millis(),
        session_scan_settings()
    )
}

/// Opens one connection and applies `settings`, within `timeout`.
pub(crate) async fn open(
    url: &str,
    settings: &str,
    timeout: Duration,
) -> Result<AsyncPgConnection, ConnectionError> {
    let opening = async {
        let mut conn = AsyncPgConnection::establish(url).await?;
        conn.batch_execute(settings)
            .await
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        Ok(conn)
    };
    tokio::time::timeout(timeout, opening).await.map_err(|_| {
        ConnectionError::BadConnection(format!("no connection within {} ms", timeout.as_millis()))
    })?
}

impl Postgres {
    /// This store, reporting its failures to `telemetry`.
    #[must_use]
    pub fn observed(mut self, telemetry: Arc<dyn Telemetry>) -> Self {
        self.telemetry = StoreTelemetry::new(Store::Postgres, telemetry);
        self
    }

    /// A connection from the pool, waiting at most the acquire timeout.
    pub(crate) async fn conn(&self) -> Result<PgConn, StoreError> {
        let (error, timed_out) =
            match tokio::time::timeout(self.acquire_timeout, self.pool.get()).await {
                Ok(Ok(conn)) => return Ok(conn),
                Ok(Err(err)) => (unavailable(err), false),
                Err(_) => (
                    unavailable(anyhow::anyhow!(
                        "no PostgreSQL connection within {} ms",
                        self.acquire_timeout.as_millis()
                    )),
                    true,
                ),
            };
        self.telemetry.observe(&error, timed_out);
        Err(error)
    }

    /// `error` as the domain's, reported to the telemetry.
    pub(crate) fn failed(&self, error: DieselError) -> StoreError {
        let timed_out = is_statement_timeout(&error);
        let error = store_error(error);
        self.telemetry.observe(&error, timed_out);
        error
    }
}

#[async_trait]
impl HealthProbe for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn check(&self) -> Result<(), String> {
        let probe = async {
            let mut conn = self.conn().await?;
            conn.batch_execute("SELECT 1")
                .await
                .map_err(|error| self.failed(error))
        };
        match tokio::time::timeout(self.health_timeout, probe).await {
            Ok(Ok(())) => Ok(()),
            // The error chain names the cause (refused, timed out) but never the URL.
            Ok(Err(err)) => Err(format!("{:#}", anyhow::Error::from(err))),
            Err(_) => Err(format!(
                "no answer within {} ms",
                self.health_timeout.as_millis()
            )),
        }
    }
}
