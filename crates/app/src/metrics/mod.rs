//! The service's Prometheus metrics, in one registry of its own (no global state),
//! rendered by `GET /metrics` in the text format: HTTP requests by route template,
//! method and status class; model calls and time to first token by provider kind and
//! outcome; tokens by kind; history-cache lookups; rate-limit refusals by budget;
//! custom-model fallbacks and circuits by model; chats the retention sweep deleted;
//! streams in flight; background tasks.
//! Labels come from closed sets (or admin-registered model slugs): never a user id, a
//! chat id or a raw path.

mod streams;

use std::time::Duration;

use polychat_domain::Usage;
use polychat_domain::ports::{Budget, ProviderKind, Store, StoreFailure, Telemetry};
use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub use streams::InFlight;

/// Seconds buckets for HTTP requests (the service's own work is milliseconds).
const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Seconds buckets for model calls (up to a long generation).
const MODEL_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0,
];

/// Every metric family of the service.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    model_calls: HistogramVec,
    first_token: HistogramVec,
    tokens: IntCounterVec,
    cache_lookups: IntCounterVec,
    rate_limited: IntCounterVec,
    fallbacks: IntCounterVec,
    circuits_opened: IntCounterVec,
    chats_expired: IntCounter,
    store_failures: IntCounterVec,
    streams_in_flight: IntGauge,
    background_tasks: IntGauge,
}

impl Metrics {
    /// A fresh registry with every family, each labelled series starting at zero.
    ///
    /// # Panics
    /// Never: the families' names and labels are constants checked by the tests.
    #[allow(clippy::missing_panics_doc)]
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let family = IntCounterVec::new(Opts::new(name, help), labels).expect("valid family");
            registry
                .register(Box::new(family.clone()))
                .expect("unique name");
            family
        };
        let histogram = |name: &str, help: &str, labels: &[&str], buckets: &[f64]| {
            let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
            let family = HistogramVec::new(opts, labels).expect("valid family");
            registry
                .register(Box::new(family.clone()))
                .expect("unique name");
            family
        };
        let gauge = |name: &str, help: &str| {
            let gauge = IntGauge::new(name, help).expect("valid gauge");
            registry
                .register(Box::new(gauge.clone()))
                .expect("unique name");
            gauge
        };
        let metrics = Self {
            http_requests: counter(
                "polychat_http_requests_total",
                "HTTP requests answered, by route template, method and status class.",
                &["route", "method", "status"],
            ),
            http_duration: histogram(
                "polychat_http_request_duration_seconds",
                "Time to the response's head (a stream's first event), by route template and method.",
                &["route", "method"],
                REQUEST_BUCKETS,
            ),
            model_calls: histogram(
                "polychat_model_call_duration_seconds",
                "Model calls from the turn's start to the model's last byte, by provider kind and outcome.",
                &["provider", "outcome"],
                MODEL_BUCKETS,
            ),
            first_token: histogram(
                "polychat_time_to_first_token_seconds",
                "Streamed answers: from the turn's start to the model's first token, by provider kind.",
                &["provider"],
                MODEL_BUCKETS,
            ),
            tokens: counter(
                "polychat_tokens_total",
                "Tokens of model calls, by provider kind and kind (prompt, completion).",
                &["provider", "kind"],
            ),
            cache_lookups: counter(
                "polychat_history_cache_lookups_total",
                "Chat history pages looked up in the cache, by result (hit, miss).",
                &["result"],
            ),
            rate_limited: counter(
                "polychat_rate_limited_total",
                "Requests refused by a rate limit, by budget (chat, login).",
                &["budget"],
            ),
            fallbacks: counter(
                "polychat_webhook_fallbacks_total",
                "Custom-model calls answered by the model's fallback, by model.",
                &["model"],
            ),
            circuits_opened: counter(
                "polychat_circuit_opened_total",
                "Times a custom model's circuit opened after repeated failures, by model.",
                &["model"],
            ),
            chats_expired: {
                let name = "polychat_retention_deleted_chats_total";
                let help = "Chats the retention sweep deleted (CHAT_RETENTION_DAYS).";
                let counter = IntCounter::new(name, help).expect("valid counter");
                registry
                    .register(Box::new(counter.clone()))
                    .expect("unique name");
                counter
            },
            store_failures: counter(
                "polychat_store_failures_total",
                "Failed store calls, by store (postgres, mongodb, redis) and failure (timeout, unavailable, error).",
                &["store", "failure"],
            ),
            streams_in_flight: gauge(
                "polychat_streams_in_flight",
                "Server-sent event streams being written to clients.",
            ),
            background_tasks: gauge(
                "polychat_background_tasks",
                "Background tasks running or waiting (turns, generations, indexing).",
            ),
            registry,
        };
        metrics.start_series();
        metrics
    }

    /// Creates the series of the closed label sets at zero, so a scrape shows every
    /// family before its first event.
    fn start_series(&self) {
        for provider in [ProviderKind::OpenRouter, ProviderKind::Webhook] {
            for kind in ["prompt", "completion"] {
                self.tokens.with_label_values(&[provider.as_str(), kind]);
            }
        }
        for result in ["hit", "miss"] {
            self.cache_lookups.with_label_values(&[result]);
        }
        for budget in [Budget::Chat, Budget::Login] {
            self.rate_limited.with_label_values(&[budget.as_str()]);
        }
        for store in [Store::Postgres, Store::MongoDb, Store::Redis] {
            for failure in [
                StoreFailure::Timeout,
                StoreFailure::Unavailable,
                StoreFailure::Error,
            ] {
                self.store_failures
                    .with_label_values(&[store.as_str(), failure.as_str()]);
            }
        }
    }

    /// Counts an answered HTTP request. `route` is the matched route template.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let method = match method {
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => method,
            _ => "other",
        };
        self.http_requests
            .with_label_values(&[route, method, class])
            .inc();
        self.http_duration
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }

    /// A guard that counts one stream in flight while it lives.
    pub fn stream_started(&self) -> InFlight {
        InFlight::new(self.streams_in_flight.clone())
    }

    /// The text exposition of every family; `background_tasks` is read now.
    pub fn render(&self, background_tasks: usize) -> Vec<u8> {
        self.background_tasks
            .set(i64::try_from(background_tasks).unwrap_or(i64::MAX));
        let mut text = Vec::new();
        // Encoding into memory cannot fail; a family that did would be left out.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut text);
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Telemetry for Metrics {
    fn model_call(&self, provider: ProviderKind, outcome: &'static str, took: Duration) {
        self.model_calls
            .with_label_values(&[provider.as_str(), outcome])
            .observe(took.as_secs_f64());
    }

    fn first_token(&self, provider: ProviderKind, after: Duration) {
        self.first_token
            .with_label_values(&[provider.as_str()])
            .observe(after.as_secs_f64());
    }

    fn tokens(&self, provider: ProviderKind, usage: &Usage) {
        let provider = provider.as_str();
        self.tokens
            .with_label_values(&[provider, "prompt"])
            .inc_by(usage.prompt_tokens);
        self.tokens
            .with_label_values(&[provider, "completion"])
            .inc_by(usage.completion_tokens);
    }

    fn history_cache(&self, hit: bool) {
        self.cache_lookups
            .with_label_values(&[if hit { "hit" } else { "miss" }])
            .inc();
    }

    fn rate_limited(&self, budget: Budget) {
        self.rate_limited
            .with_label_values(&[budget.as_str()])
            .inc();
    }

    fn webhook_fallback(&self, model: &str) {
        self.fallbacks.with_label_values(&[model]).inc();
    }

    fn circuit_opened(&self, model: &str) {
        self.circuits_opened.with_label_values(&[model]).inc();
    }

    fn chats_expired(&self, count: u64) {
        self.chats_expired.inc_by(count);
    }

    fn store_failed(&self, store: Store, failure: StoreFailure) {
        self.store_failures
            .with_label_values(&[store.as_str(), failure.as_str()])
            .inc();
    }
}

#[cfg(test)]
mod tests;
