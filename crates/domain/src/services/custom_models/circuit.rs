//! A circuit per custom model: after a run of failed calls its webhook is left alone
//! for a cool-down (calls go straight to the fallback), then one trial call decides
//! whether it closes again. Kept per replica, in memory.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// When a circuit opens and how long it stays open.
#[derive(Debug, Clone, Copy)]
pub struct CircuitPolicy {
    /// Consecutive failures that open the circuit.
    pub failures_to_open: u32,
    /// How long an open circuit refuses calls before it lets one trial through.
    pub cool_down: Duration,
}

impl Default for CircuitPolicy {
    fn default() -> Self {
        Self {
            failures_to_open: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Circuit {
    consecutive_failures: u32,
    /// Set while open; calls are refused until then.
    open_until: Option<DateTime<Utc>>,
    /// A trial call is under way after the cool-down (half-open).
    trial: bool,
}

/// The circuits of every custom model, by slug.
#[derive(Debug, Default)]
pub(super) struct Circuits {
    policy: CircuitPolicy,
    by_model: Mutex<HashMap<String, Circuit>>,
}

impl Circuits {
    pub(super) fn new(policy: CircuitPolicy) -> Self {
        Self {
            policy,
            by_model: Mutex::default(),
        }
    }

    /// Whether a call of `model` may go to its webhook now.
    pub(super) fn admits(&self, model: &str, now: DateTime<Utc>) -> bool {
        let mut circuits = self.by_model.lock().unwrap_or_else(PoisonError::into_inner);
        let circuit = circuits.entry(model.to_owned()).or_default();
        match circuit.open_until {
            None => true,
            Some(until) if now < until => false,
            // Cooled down: one trial call at a time (half-open).
            Some(_) if circuit.trial => false,
            Some(_) => {
                circuit.trial = true;
                true
            }
        }
    }

    pub(super) fn succeeded(&self, model: &str) {
        let mut circuits = self.by_model.lock().unwrap_or_else(PoisonError::into_inner);
        circuits.remove(model);
    }

    /// Records a failure; true when it opened the circuit.
    pub(super) fn failed(&self, model: &str, now: DateTime<Utc>) -> bool {
        let mut circuits = self.by_model.lock().unwrap_or_else(PoisonError::into_inner);
        let circuit = circuits.entry(model.to_owned()).or_default();
        circuit.consecutive_failures = circuit.consecutive_failures.saturating_add(1);
        let reopen = circuit.trial || circuit.consecutive_failures >= self.policy.failures_to_open;
        if reopen {
            let cool_down =
                chrono::Duration::from_std(self.policy.cool_down).unwrap_or(chrono::Duration::MAX);
            circuit.open_until = Some(now + cool_down);
            circuit.trial = false;
        }
        reopen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_a_run_of_failures_and_closes_after_a_good_trial() {
        let circuits = Circuits::new(CircuitPolicy {
            failures_to_open: 3,
            cool_down: Duration::from_secs(10),
        });
        let start = DateTime::from_timestamp(1_000, 0).unwrap();
        let at = |secs| start + chrono::Duration::seconds(secs);
        assert!(circuits.admits("bot", at(0)));
        assert!(!circuits.failed("bot", at(0)));
        circuits.succeeded("bot");
        assert!(!circuits.failed("bot", at(1)));
        assert!(!circuits.failed("bot", at(1)), "a success reset the count");
        assert!(circuits.failed("bot", at(2)), "the third in a row opens it");
        assert!(!circuits.admits("bot", at(5)), "open");
        assert!(circuits.admits("other", at(5)), "per model");
        assert!(circuits.admits("bot", at(12)), "cooled down: one trial");
        assert!(!circuits.admits("bot", at(12)), "only one");
        assert!(
            circuits.failed("bot", at(12)),
            "a failed trial opens it again"
        );
        assert!(!circuits.admits("bot", at(20)));
        assert!(circuits.admits("bot", at(23)));
        circuits.succeeded("bot");
        assert!(circuits.admits("bot", at(23)), "a good trial closes it");
        assert!(circuits.admits("bot", at(23)));
    }
}
