//! Where a request's time went: the named steps of a use case and how long each took,
//! so the service can say per request which part costs what (the app sends them in the
//! `Server-Timing` header). Steps that run concurrently are each timed in full, so
//! their sum can exceed the request's time.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One timed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// A short token, as `Server-Timing` metric names are (e.g. `recall`).
    pub name: &'static str,
    pub took: Duration,
}

/// The steps of one request, shared by the futures that run its parts. Cloning shares
/// the same record.
#[derive(Debug, Clone, Default)]
pub struct Timeline(Arc<Mutex<Vec<Step>>>);

impl Timeline {
    /// Runs `work` and records how long it took under `name`.
    pub async fn time<F: Future>(&self, name: &'static str, work: F) -> F::Output {
        let started = Instant::now();
        let output = work.await;
        self.record(name, started.elapsed());
        output
    }

    /// Records a step timed elsewhere.
    pub fn record(&self, name: &'static str, took: Duration) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Step { name, took });
    }

    /// The steps recorded so far, in the order they finished.
    pub fn steps(&self) -> Vec<Step> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_record_in_finishing_order() {
        let timeline = Timeline::default();
        let shared = timeline.clone();
        shared.record("first", Duration::from_millis(3));
        timeline.record("second", Duration::from_micros(20));
        let names: Vec<_> = timeline.steps().iter().map(|s| s.name).collect();
        assert_eq!(names, ["first", "second"]);
        assert_eq!(shared.steps()[0].took, Duration::from_millis(3));
    }

    #[tokio::test]
    async fn a_timed_step_lasts_at_least_its_work() {
        let timeline = Timeline::default();
        let value = timeline
            .time("sleep", async {
                std::thread::sleep(Duration::from_millis(5));
                7
            })
            .await;
        assert_eq!(value, 7);
        let steps = timeline.steps();
        assert_eq!(steps.len(), 1);
        assert!(steps[0].took >= Duration::from_millis(5), "{:?}", steps[0]);
    }
}
