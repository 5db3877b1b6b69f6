//! The retention schedule: each replica tries a sweep at start-up and then every
//! `CHAT_RETENTION_SWEEP_SECONDS`; the Redis lease lets one at a time delete, and a
//! sweep cut short (a crash, a store outage) is simply taken up by the next one.

use std::time::Duration;

use futures_util::future::BoxFuture;
use polychat_domain::services::retention::RetentionService;
use tokio::runtime::Handle;

/// Runs `service`'s sweeps on `runtime` every `every`, until `stopping` completes.
pub fn schedule(
    runtime: &Handle,
    service: RetentionService,
    every: Duration,
    stopping: BoxFuture<'static, ()>,
) {
    runtime.spawn(async move {
        let sweeps = async {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = service.sweep().await {
                    tracing::warn!(error = %error, "retention sweep failed; the next one goes on");
                }
            }
        };
        tokio::select! {
            () = sweeps => {}
            () = stopping => {}
        }
    });
}
