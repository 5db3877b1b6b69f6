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
