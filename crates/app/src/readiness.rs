//! Readiness: asks every outside dependency whether it answers, all at once and each
//! within a deadline, so `/ready` is quick even when something hangs.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use polychat_domain::ports::HealthProbe;

/// A dependency and whether the service can work without it.
#[derive(Clone)]
pub struct Dependency {
    pub probe: Arc<dyn HealthProbe>,
    /// Without a required dependency the service is not ready (503). Optional ones
    /// (the embeddings server) only degrade features and are reported.
    pub required: bool,
}

/// The result of one readiness round.
#[derive(Debug)]
pub struct ReadinessReport {
    pub ready: bool,
    /// Each dependency's name and `"ok"` or the reason it is not.
    pub checks: Vec<(&'static str, String)>,
}

/// Every dependency `/ready` reports on.
#[derive(Clone)]
pub struct Readiness {
    dependencies: Vec<Dependency>,
    deadline: Duration,
}

impl Readiness {
    pub fn new(dependencies: Vec<Dependency>, deadline: Duration) -> Self {
        Self {
            dependencies,
            deadline,
        }
    }

    pub async fn check(&self) -> ReadinessReport {
        let checks = join_all(self.dependencies.iter().map(|dep| async move {
            let outcome = tokio::time::timeout(self.deadline, dep.probe.check()).await;
            let status = match outcome {
                Ok(Ok(())) => "ok".to_owned(),
                Ok(Err(reason)) => reason,
                Err(_) => format!("no answer within {} ms", self.deadline.as_millis()),
            };
            (dep.probe.name(), dep.required, status)
        }))
        .await;
        let ready = checks
            .iter()
            .all(|(_, required, status)| !required || status == "ok");
        ReadinessReport {
            ready,
            checks: checks
                .into_iter()
                .map(|(name, _, status)| (name, status))
                .collect(),
        }
    }
}
