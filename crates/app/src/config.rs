//! Typed configuration, read once at start-up from the environment and an optional
//! `.env` file (a variable set in the environment always wins).
//!
//! Every value is checked here, so a bad deployment stops with one line naming the
//! variable instead of failing later on the first request.

use std::net::SocketAddr;
use std::time::Duration;

use polychat_auth::{MIN_SECRET_BYTES, PRODUCTION_MIN_COST, VALID_COSTS};
use polychat_crypto::MasterKeys;
use polychat_domain::services::chat::DEFAULT_MAX_ANSWER_TOKENS;
use polychat_domain::services::memory::{MemoryPolicy, RecallPolicy};
use polychat_domain::services::retention::RetentionPolicy;
use polychat_domain::{ModelName, Sectors};
use polychat_webhook::NetworkPolicy;
use secrecy::{ExposeSecret, SecretString};

mod source;

pub use source::Source;

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

/// Everything the service needs to start.
#[derive(Debug)]
pub struct AppConfig {
    pub http_addr: SocketAddr,
    /// HTTP worker threads (each a single-threaded runtime); the store clients' own
    /// tasks run beside them on the main thread.
    pub http_workers: usize,
    pub database_url: SecretString,
    pub database_max_connections: usize,
    pub mongodb_url: SecretString,
    pub mongodb_database: String,
    pub redis_url: SecretString,
    pub redis_key_prefix: String,
    pub openrouter_base_url: String,
    pub openrouter_referer: Option<String>,
    pub openrouter_title: Option<String>,
    pub llm_timeout: Duration,
    pub embeddings_base_url: String,
    pub embeddings_api_key: Option<SecretString>,
    pub embeddings_model: Option<String>,
    pub embeddings_dimensions: usize,
    /// Recall and remembering: similarity thresholds, the embeddings window, the
    /// recall deadline.
    pub memory: MemoryPolicy,
    /// Default minimum similarity of a `/messages/search` hit.
    pub search_min_similarity: f32,
    pub master_key: SecretString,
    /// Earlier master keys (comma-separated), still accepted for decryption until
    /// `polychat rotate-keys` has re-encrypted everything.
    pub previous_master_keys: Option<SecretString>,
    pub jwt_secret: SecretString,
    pub default_model: ModelName,
    pub bcrypt_cost: u32,
    pub log_format: LogFormat,
    /// The networks webhooks may reach besides public addresses
    /// (`WEBHOOK_ALLOWED_NETWORKS`).
    pub webhook_networks: NetworkPolicy,
    /// The sectors chats may be labelled with (`SECTORS`).
    pub sectors: Sectors,
    /// How long a server-sent event stream may stay silent before a comment is sent
    /// to keep proxies from cutting it (`SSE_KEEPALIVE_SECONDS`).
    pub sse_keepalive: Duration,
    /// The longest answer asked of a model; a client's own `max_tokens` is capped to it
    /// (`MAX_ANSWER_TOKENS`).
    pub max_answer_tokens: u32,
    /// The bearer token `GET /metrics` needs (`METRICS_TOKEN` or `METRICS_TOKEN_FILE`);
    /// unset, the metrics are open.
    pub metrics_token: Option<SecretString>,
    /// Chats are deleted this long after their last update (`CHAT_RETENTION_DAYS`);
    /// unset, they are kept.
    pub retention: Option<RetentionPolicy>,
    /// How often each replica tries a retention sweep (`CHAT_RETENTION_SWEEP_SECONDS`).
    pub retention_sweep_every: Duration,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl AppConfig {
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let http_addr = source.parsed("HTTP_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let http_workers = source.parsed("HTTP_WORKERS", cores)?;
        if http_workers == 0 {
            return Err(invalid("HTTP_WORKERS", "must be at least 1"));
        }
        let database_url = source.or(
            "DATABASE_URL",
            "postgres://polychat:polychat@127.0.0.1:5432/polychat",
        );
        require_scheme("DATABASE_URL", &database_url, &["postgres", "postgresql"])?;
        let mongodb_url = source.or("MONGODB_URL", "mongodb://127.0.0.1:27017");
        require_scheme("MONGODB_URL", &mongodb_url, &["mongodb", "mongodb+srv"])?;
        let redis_url = source.or("REDIS_URL", "redis://127.0.0.1:6379");
        require_scheme("REDIS_URL", &redis_url, &["redis", "rediss"])?;
        let openrouter_base_url = source.or("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1");
        require_scheme(
            "OPENROUTER_BASE_URL",
            &openrouter_base_url,
            &["http", "https"],
        )?;
        let embeddings_base_url = source.or("EMBEDDINGS_BASE_URL", "http://127.0.0.1:8001/v1");
        require_scheme(
            "EMBEDDINGS_BASE_URL",
            &embeddings_base_url,
            &["http", "https"],
        )?;

        let master_key = source
            .secret("APP_MASTER_KEY", "APP_MASTER_KEY_FILE")?
            .ok_or_else(|| {
                invalid(
                    "APP_MASTER_KEY",
                    "is missing (run `make services` to generate .env, or set APP_MASTER_KEY_FILE)",
                )
            })?;
        let previous_master_keys =
            source.secret("APP_MASTER_KEY_PREVIOUS", "APP_MASTER_KEY_PREVIOUS_FILE")?;
        MasterKeys::parse(&master_key, previous_master_keys.as_ref())
            .map_err(|error| invalid(error.variable(), error.problem()))?;
        let jwt_secret = source
            .secret("JWT_SECRET", "JWT_SECRET_FILE")?
            .ok_or_else(|| {
                invalid(
                    "JWT_SECRET",
                    "is missing (run `make services` to generate .env, or set JWT_SECRET_FILE)",
                )
            })?;
        if jwt_secret.expose_secret().len() < MIN_SECRET_BYTES {
            return Err(invalid(
                "JWT_SECRET",
                format!("must be at least {MIN_SECRET_BYTES} bytes"),
            ));
        }
        let default_model = ModelName::parse(&source.or("DEFAULT_MODEL", "openai/gpt-4o-mini"))
            .map_err(|e| invalid("DEFAULT_MODEL", e.reason))?;
        let bcrypt_cost = bcrypt_cost(source)?;
        let log_format = log_format(source)?;

        let webhook_networks = NetworkPolicy::parse(&source.or("WEBHOOK_ALLOWED_NETWORKS", ""))
            .map_err(|e| invalid("WEBHOOK_ALLOWED_NETWORKS", e.to_string()))?;

        Ok(Self {
            http_addr,
            http_workers,
            database_url: database_url.into(),
            database_max_connections: source.parsed("DATABASE_MAX_CONNECTIONS", 16)?,
            mongodb_url: mongodb_url.into(),
            mongodb_database: source.or("MONGODB_DATABASE", "polychat"),
            redis_url: redis_url.into(),
            redis_key_prefix: source.or("REDIS_KEY_PREFIX", "polychat"),
            openrouter_base_url,
            openrouter_referer: source.get("OPENROUTER_REFERER").map(str::to_owned),
            openrouter_title: Some(source.or("OPENROUTER_TITLE", "polychat")),
            llm_timeout: llm_timeout(source)?,
            embeddings_base_url,
            embeddings_api_key: source.get("EMBEDDINGS_API_KEY").map(SecretString::from),
            embeddings_model: source.get("EMBEDDINGS_MODEL").map(str::to_owned),
            embeddings_dimensions: source.parsed("EMBEDDINGS_DIMENSIONS", 384)?,
            memory: memory_policy(source)?,
            search_min_similarity: similarity(source, "SEARCH_MIN_SIMILARITY", 0.80)?,
            master_key,
            previous_master_keys,
            jwt_secret,
            default_model,
            bcrypt_cost,
            log_format,
            webhook_networks,
            sectors: Sectors::parse(&source.or("SECTORS", Sectors::DEFAULT))
                .map_err(|e| invalid("SECTORS", e.reason))?,
            sse_keepalive: keepalive(source)?,
            max_answer_tokens: max_answer_tokens(source)?,
            metrics_token: source.secret("METRICS_TOKEN", "METRICS_TOKEN_FILE")?,
            retention: retention(source)?,
            retention_sweep_every: Duration::from_secs(
                source
                    .parsed("CHAT_RETENTION_SWEEP_SECONDS", 300_u64)?
                    .max(1),
            ),
        })
    }
}

/// `CHAT_RETENTION_DAYS`: a whole number of days, at least 1, or unset.
fn retention(source: &Source) -> Result<Option<RetentionPolicy>, ConfigError> {
    let Some(raw) = source.get("CHAT_RETENTION_DAYS") else {
        return Ok(None);
    };
    match raw.parse::<u32>() {
        Ok(days) if days >= 1 => Ok(Some(RetentionPolicy::days(days))),
        _ => Err(invalid(
            "CHAT_RETENTION_DAYS",
            format!("must be a whole number of days, at least 1, got {raw:?}"),
        )),
    }
}

/// The bcrypt cost: what bcrypt accepts, and below the production minimum only when asked.
fn bcrypt_cost(source: &Source) -> Result<u32, ConfigError> {
    let bcrypt_cost = source.parsed("BCRYPT_COST", 12_u32)?;
    if !VALID_COSTS.contains(&bcrypt_cost) {
        let (low, high) = VALID_COSTS.into_inner();
        return Err(invalid(
            "BCRYPT_COST",
            format!("must be between {low} and {high}"),
        ));
    }
    if bcrypt_cost < PRODUCTION_MIN_COST && !source.parsed("ALLOW_WEAK_PASSWORD_HASHING", false)? {
        return Err(invalid(
            "BCRYPT_COST",
            format!(
                "is below {PRODUCTION_MIN_COST}, too cheap for real passwords; \
                 set ALLOW_WEAK_PASSWORD_HASHING=true for tests and development only"
            ),
        ));
    }
    Ok(bcrypt_cost)
}

fn log_format(source: &Source) -> Result<LogFormat, ConfigError> {
    match source.or("LOG_FORMAT", "json").as_str() {
        "json" => Ok(LogFormat::Json),
        "pretty" => Ok(LogFormat::Pretty),
        other => Err(invalid(
            "LOG_FORMAT",
            format!("must be json or pretty, not {other:?}"),
        )),
    }
}

/// The longest wait for a model: a day, far below what `Instant + Duration` can hold.
const MAX_LLM_TIMEOUT_SECONDS: u64 = 86_400;

fn llm_timeout(source: &Source) -> Result<Duration, ConfigError> {
    match source.parsed("LLM_TIMEOUT_SECONDS", 120_u64)? {
        0 => Err(invalid("LLM_TIMEOUT_SECONDS", "must be at least 1")),
        seconds if seconds > MAX_LLM_TIMEOUT_SECONDS => Err(invalid(
            "LLM_TIMEOUT_SECONDS",
            format!("must be at most {MAX_LLM_TIMEOUT_SECONDS} (a day)"),
        )),
        seconds => Ok(Duration::from_secs(seconds)),
    }
}

/// More than any model answers in one go.
const MAX_ANSWER_TOKENS_LIMIT: u32 = 1_000_000;

fn max_answer_tokens(source: &Source) -> Result<u32, ConfigError> {
    match source.parsed("MAX_ANSWER_TOKENS", DEFAULT_MAX_ANSWER_TOKENS)? {
        tokens @ 1..=MAX_ANSWER_TOKENS_LIMIT => Ok(tokens),
        _ => Err(invalid(
            "MAX_ANSWER_TOKENS",
            format!("must be between 1 and {MAX_ANSWER_TOKENS_LIMIT}"),
        )),
    }
}

fn keepalive(source: &Source) -> Result<Duration, ConfigError> {
    match source.parsed("SSE_KEEPALIVE_SECONDS", 15_u64)? {
        0 => Err(invalid("SSE_KEEPALIVE_SECONDS", "must be at least 1")),
        seconds => Ok(Duration::from_secs(seconds)),
    }
}

/// `MEMORY_*`, `EMBEDDINGS_WINDOW_CHARS` and `RECALL_TIMEOUT_MS` over the defaults
/// (measured for multilingual-e5-small: docs/memory-detector.md).
fn memory_policy(source: &Source) -> Result<MemoryPolicy, ConfigError> {
    let defaults = MemoryPolicy::default();
    let deadline_ms = u64::try_from(defaults.recall.deadline.as_millis()).unwrap_or(u64::MAX);
    Ok(MemoryPolicy {
        recall_min_similarity: similarity(
            source,
            "MEMORY_RECALL_MIN_SIMILARITY",
            defaults.recall_min_similarity,
        )?,
        supersede_similarity: similarity(
            source,
            "MEMORY_SUPERSEDE_SIMILARITY",
            defaults.supersede_similarity,
        )?,
        window_chars: source.parsed("EMBEDDINGS_WINDOW_CHARS", defaults.window_chars)?,
        recall: RecallPolicy {
            deadline: Duration::from_millis(source.parsed("RECALL_TIMEOUT_MS", deadline_ms)?),
            ..defaults.recall
        },
        ..defaults
    })
}

fn similarity(source: &Source, variable: &'static str, default: f32) -> Result<f32, ConfigError> {
    let value = source.parsed(variable, default)?;
    if (-1.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            variable,
            "must be a cosine similarity between -1 and 1",
        ))
    }
}

fn require_scheme(variable: &'static str, url: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme);
    match scheme {
        Some(s) if schemes.contains(&s) => Ok(()),
        _ => Err(invalid(
            variable,
            format!("must be a URL starting with {}://", schemes.join(":// or ")),
        )),
    }
}

#[cfg(test)]
mod tests;
