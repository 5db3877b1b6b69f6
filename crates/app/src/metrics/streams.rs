//! Counting the event streams being written: a guard held by the stream's body.

use prometheus::IntGauge;

/// One stream in flight; dropping it (the body ended or the client left) counts it out.
#[derive(Debug)]
pub struct InFlight(IntGauge);

impl InFlight {
    pub(super) fn new(gauge: IntGauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}
