//! The one set of background tasks (the domain's [`Tasks`] port): every turn (so a
//! client that goes away cannot cut it), a stream's generation, indexing after a
//! response. They run on a runtime of their own — not on an HTTP worker's, which stops
//! with its last connection — keep the span (request id, user id) of the request that
//! started them, and are drained on shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use polychat_domain::ports::Tasks;
use tokio::runtime::Handle;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tracing::Instrument as _;

/// Background tasks on one runtime, counted so shutdown can wait for them.
pub struct BackgroundTasks {
    runtime: Handle,
    running: Arc<AtomicUsize>,
    idle: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl BackgroundTasks {
    /// Tasks on `runtime`, which must outlive the HTTP server.
    pub fn new(runtime: Handle) -> Self {
        Self {
            runtime,
            running: Arc::default(),
            idle: Arc::default(),
            stop: watch::Sender::new(false),
        }
    }

    /// How many tasks run or wait now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Asks running generations to stop and store what they have.
    pub fn stop_generations(&self) {
        self.stop.send_replace(true);
    }

    /// Waits until no task runs or `deadline` passes; returns how many still run.
    pub async fn drain(&self, deadline: Instant) -> usize {
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            let running = self.running.load(Ordering::Acquire);
            if running == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.running.load(Ordering::Acquire);
            }
        }
    }
}

/// One running task in the count; it leaves the count however the task ends.
struct Counted {
    running: Arc<AtomicUsize>,
    idle: Arc<Notify>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        if self.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
    }
}

impl Tasks for BackgroundTasks {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        self.running.fetch_add(1, Ordering::AcqRel);
        let counted = Counted {
            running: self.running.clone(),
            idle: self.idle.clone(),
        };
        let task = task.instrument(tracing::Span::current());
        self.runtime.spawn(async move {
            task.await;
            drop(counted);
        });
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn stopping(&self) -> BoxFuture<'static, ()> {
        let mut stop = self.stop.subscribe();
        Box::pin(async move {
            if stop.wait_for(|stop| *stop).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}
