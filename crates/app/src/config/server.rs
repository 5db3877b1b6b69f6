//! The HTTP server's section: where it listens, its workers, logs, streams and the
//! metrics endpoint's token.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::SecretString;
use tracing_subscriber::EnvFilter;

use super::variable::{Fallback, Variable};
use super::{ConfigError, Source, invalid, milliseconds};

const HTTP_ADDR: Variable = Variable::with_default("HTTP_ADDR", "127.0.0.1:8080", "listen address");
const HTTP_WORKERS: Variable =
    Variable::optional("HTTP_WORKERS", "HTTP worker threads").described("the number of cores");
const LOG_FORMAT: Variable =
    Variable::with_default("LOG_FORMAT", "json", "log lines as `json` or `pretty`");
const RUST_LOG: Variable = Variable::with_default(
    "RUST_LOG",
    "info,h2=warn,hyper=warn,rustls=warn,mongodb=warn",
    "log filter (`tracing` env-filter syntax, e.g. `info,polychat_app=debug`)",
);
const SSE_KEEPALIVE_SECONDS: Variable = Variable::with_default(
    "SSE_KEEPALIVE_SECONDS",
    "15",
    "a streamed answer sends an SSE comment after this many silent seconds, so proxies keep it open",
);
const HTTP_REQUEST_TIMEOUT_MS: Variable = Variable::with_default(
    "HTTP_REQUEST_TIMEOUT_MS",
    "10000",
    "the longest a client may take to send a request's headers, and then its body; a slower one is cut (408)",
);
const METRICS_TOKEN: Variable = Variable::secret(
    "METRICS_TOKEN",
    "METRICS_TOKEN_FILE",
    Fallback::Unset,
    "bearer token `GET /metrics` needs; unset, the metrics are open",
);

pub(super) const VARIABLES: &[&Variable] = &[
    &HTTP_ADDR,
    &HTTP_WORKERS,
    &LOG_FORMAT,
    &RUST_LOG,
    &SSE_KEEPALIVE_SECONDS,
    &HTTP_REQUEST_TIMEOUT_MS,
    &METRICS_TOKEN,
];

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// The HTTP server's settings.
#[derive(Debug)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// HTTP worker threads (each a single-threaded runtime); the store clients' own
    /// tasks run beside them on the main thread.
    pub workers: usize,
    pub log_format: LogFormat,
    /// The log filter, `RUST_LOG`'s syntax.
    pub log_filter: String,
    /// How long a server-sent event stream may stay silent before a comment is sent
    /// to keep proxies from cutting it.
    pub sse_keepalive: Duration,
    /// How long a client may take to send a request's headers, and then its body.
    pub request_timeout: Duration,
    /// The bearer token `GET /metrics` needs; unset, the metrics are open.
    pub metrics_token: Option<SecretString>,
}

impl ServerConfig {
    pub(super) fn load(source: &Source) -> Result<Self, ConfigError> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let workers = source.optional(&HTTP_WORKERS)?.unwrap_or(cores);
        if workers == 0 {
            return Err(invalid(HTTP_WORKERS.name, "must be at least 1"));
        }
        let log_format = match source.required_text(&LOG_FORMAT)?.as_str() {
            "json" => LogFormat::Json,
            "pretty" => LogFormat::Pretty,
            other => {
                return Err(invalid(
                    LOG_FORMAT.name,
                    format!("must be json or pretty, not {other:?}"),
                ));
            }
        };
        let sse_keepalive = match source.required::<u64>(&SSE_KEEPALIVE_SECONDS)? {
            0 => return Err(invalid(SSE_KEEPALIVE_SECONDS.name, "must be at least 1")),
            seconds => Duration::from_secs(seconds),
        };
        let log_filter = source.required_text(&RUST_LOG)?;
        if let Err(error) = EnvFilter::try_new(&log_filter) {
            return Err(invalid(
                RUST_LOG.name,
                format!("is not a log filter: {error}"),
            ));
        }
        Ok(Self {
            addr: source.required(&HTTP_ADDR)?,
            workers,
            log_format,
            log_filter,
            sse_keepalive,
            request_timeout: milliseconds(source, &HTTP_REQUEST_TIMEOUT_MS)?,
            metrics_token: source.secret(&METRICS_TOKEN)?,
        })
    }
}
