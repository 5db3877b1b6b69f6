//! Background tasks for tests (the domain's [`Tasks`] port) on the test's runtime:
//! tracked, so a test can wait for all of them, and told to stop when the test shuts
//! the server down.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use polychat_domain::ports::Tasks;

/// Background work on the test's runtime: every task is tracked so a test can wait
/// for all of them (`World::settle`), and `stopping` completes when the test shuts the
/// server down (`World::shut_down`).
pub struct TestTasks {
    running: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl TestTasks {
    #[must_use]
    pub fn new() -> Self {
        Self {
            running: Mutex::default(),
            stop: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Tells running generations to stop, as a server's shutdown does.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Waits until no task is running, including tasks started by tasks.
    ///
    /// # Panics
    /// When a task panicked.
    pub async fn settle(&self) {
        loop {
            let running: Vec<_> =
                std::mem::take(&mut *self.running.lock().unwrap_or_else(PoisonError::into_inner));
            if running.is_empty() {
                return;
            }
            for task in running {
                assert!(task.await.is_ok(), "a background task panicked");
            }
        }
    }
}

impl Tasks for TestTasks {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        let handle = tokio::spawn(task);
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn stopping(&self) -> BoxFuture<'static, ()> {
        let mut stop = self.stop.subscribe();
        Box::pin(async move {
            if stop.wait_for(|stopping| *stopping).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

impl Default for TestTasks {
    fn default() -> Self {
        Self::new()
    }
}
