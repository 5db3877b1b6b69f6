//! Readiness checks of the outside things the service depends on.

use async_trait::async_trait;

/// Something whose reachability `/ready` reports.
#[async_trait]
pub trait HealthProbe: Send + Sync {
    /// The name under which `/ready` reports it (`postgres`, `mongodb`, ...).
    fn name(&self) -> &'static str;

    /// Whether the dependency answers now.
    ///
    /// # Errors
    /// A short description of why it does not, safe to show to operators.
    async fn check(&self) -> Result<(), String>;
}
