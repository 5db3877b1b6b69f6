//! Settings of the chat-completions client, and building its HTTP client from them.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Url};

/// A setting that cannot work, named so startup can say which.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
}

impl ConfigError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// Settings of [`crate::OpenRouterClient`].
///
/// Deadlines: `connect_timeout` for the TCP/TLS connection; `first_byte_timeout` until
/// the response headers (OpenRouter sends them at once and keeps the line alive, but a
/// server that answers only when done must fit a whole generation in it);
/// `chunk_gap_timeout` between two reads of the body; `total_timeout` for everything,
/// retries included.
#[derive(Debug, Clone)]
pub struct OpenRouterConfig {
    /// E.g. `https://openrouter.ai/api/v1`; `/chat/completions` is appended.
    pub base_url: String,
    /// Sent as `HTTP-Referer` (OpenRouter's app attribution).
    pub referer: Option<String>,
    /// Sent as `X-Title`.
    pub title: Option<String>,
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub chunk_gap_timeout: Duration,
    pub total_timeout: Duration,
    /// Retries after the first attempt, only before any byte of a reply arrived.
    pub max_retries: u32,
    /// Upper bound of a reply body (whole answer or whole stream).
    pub max_response_bytes: usize,
    /// First backoff step; doubled per retry, jittered.
    pub backoff_base: Duration,
    /// Longest backoff, and the longest `Retry-After` worth waiting for before
    /// handing the rate limit to the caller instead.
    pub backoff_cap: Duration,
}

impl OpenRouterConfig {
    /// Defaults sized for interactive chat.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            referer: None,
            title: None,
            connect_timeout: Duration::from_secs(5),
            first_byte_timeout: Duration::from_mins(1),
            chunk_gap_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_mins(5),
            max_retries: 2,
            max_response_bytes: 8 * 1024 * 1024,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(4),
        }
    }

    /// An endpoint under `base_url` (`chat/completions`, `completions`, `models`).
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url, ConfigError> {
        endpoint(&self.base_url, path, "OPENROUTER_BASE_URL")
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let timeouts = [
            ("connect_timeout", self.connect_timeout),
            ("first_byte_timeout", self.first_byte_timeout),
            ("chunk_gap_timeout", self.chunk_gap_timeout),
            ("total_timeout", self.total_timeout),
        ];
        if let Some((field, _)) = timeouts.iter().find(|(_, value)| value.is_zero()) {
            return Err(ConfigError::invalid(field, "must be positive"));
        }
        if self.max_response_bytes == 0 {
            return Err(ConfigError::invalid(
                "max_response_bytes",
                "must be positive",
            ));
        }
        Ok(())
    }

    /// The HTTP client: attribution headers, connect deadline, and no redirects, so a
    /// reply can never send the user's key somewhere else.
    pub(crate) fn http_client(&self) -> Result<Client, ConfigError> {
        let mut headers = HeaderMap::new();
        let attribution = [
            (
                "referer",
                HeaderName::from_static("http-referer"),
                &self.referer,
            ),
            ("title", HeaderName::from_static("x-title"), &self.title),
        ];
        for (field, name, value) in attribution {
            if let Some(value) = value {
                let value = HeaderValue::from_str(value)
                    .map_err(|_| ConfigError::invalid(field, "must be printable ASCII"))?;
                headers.insert(name, value);
            }
        }
        Client::builder()
            .default_headers(headers)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ConfigError::Client)
    }
}

/// `base` (trailing slashes ignored) joined with `path`; http(s) only.
pub(crate) fn endpoint(base: &str, path: &str, field: &'static str) -> Result<Url, ConfigError> {
    let url = Url::parse(&format!("{}/{path}", base.trim_end_matches('/')))
        .map_err(|err| ConfigError::invalid(field, err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::invalid(field, "must be an http(s) URL"));
    }
    Ok(url)
}
