//! A switch that makes a fake store behave as if it were down, so use-case tests can
//! check how the service degrades (503, fallback to another store) without real outages.

use std::sync::atomic::{AtomicBool, Ordering};

use polychat_domain::ports::StoreError;

/// Whether a fake store currently answers. Starts up.
#[derive(Debug, Default)]
pub struct Outage(AtomicBool);

impl Outage {
    /// Takes the store down (`true`) or brings it back (`false`).
    pub fn set(&self, down: bool) {
        self.0.store(down, Ordering::SeqCst);
    }

    /// The error a real adapter returns when its store cannot be reached.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.0.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable(anyhow::anyhow!(
                "the fake store is switched off"
            )))
        } else {
            Ok(())
        }
    }
}

/// A number of calls still to fail, so a test can make exactly the next `n` calls of
/// one kind fail (a transient fault at a chosen moment) while everything else answers.
#[derive(Debug, Default)]
pub struct FailNext(std::sync::atomic::AtomicU32);

impl FailNext {
    /// Makes the next `n` checked calls fail (replacing any count still pending).
    pub fn set(&self, n: u32) {
        self.0.store(n, Ordering::SeqCst);
    }

    /// Fails with [`StoreError::Unavailable`] while failures are pending, using one up.
    pub fn check(&self) -> Result<(), StoreError> {
        let spent = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if spent.is_ok() {
            Err(StoreError::Unavailable(anyhow::anyhow!(
                "the fake store failed this call on purpose"
            )))
        } else {
            Ok(())
        }
    }
}
