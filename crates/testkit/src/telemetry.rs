//! A [`Telemetry`] that writes down what it is told, one line per event, for tests to
//! read back.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use polychat_domain::Usage;
use polychat_domain::ports::{Budget, ProviderKind, Store, StoreFailure, Telemetry};

/// The events told so far, as `name label...` lines.
#[derive(Debug, Default)]
pub struct RecordedTelemetry {
    events: Mutex<Vec<String>>,
}

impl RecordedTelemetry {
    /// The events so far, oldest first.
    pub fn events(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, event: String) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }
}

impl Telemetry for RecordedTelemetry {
    fn model_call(&self, provider: ProviderKind, outcome: &'static str, _took: Duration) {
        self.push(format!("model_call {} {outcome}", provider.as_str()));
    }

    fn first_token(&self, provider: ProviderKind, _after: Duration) {
        self.push(format!("first_token {}", provider.as_str()));
    }

    fn tokens(&self, provider: ProviderKind, usage: &Usage) {
        self.push(format!(
            "tokens {} {} {}",
            provider.as_str(),
            usage.prompt_tokens,
            usage.completion_tokens
        ));
    }

    fn history_cache(&self, hit: bool) {
        self.push(format!(
            "history_cache {}",
            if hit { "hit" } else { "miss" }
        ));
    }

    fn rate_limited(&self, budget: Budget) {
        self.push(format!("rate_limited {}", budget.as_str()));
    }

    fn webhook_fallback(&self, model: &str) {
        self.push(format!("webhook_fallback {model}"));
    }

    fn circuit_opened(&self, model: &str) {
        self.push(format!("circuit_opened {model}"));
    }

    fn chats_expired(&self, count: u64) {
        self.push(format!("chats_expired {count}"));
    }

    fn store_failed(&self, store: Store, failure: StoreFailure) {
        self.push(format!(
            "store_failed {} {}",
            store.as_str(),
            failure.as_str()
        ));
    }
}
