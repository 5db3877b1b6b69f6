//! The usage ledger: every model call, appended in batches, summed for reports.

use async_trait::async_trait;

use super::StoreError;
use crate::usage::{UsageQuery, UsageRecord, UsageTotals};

/// Where model calls are counted.
#[async_trait]
pub trait UsageLedger: Send + Sync {
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError>;

    /// The totals of the records the query selects, per key, ordered by key.
    async fn totals(&self, query: &UsageQuery) -> Result<Vec<(String, UsageTotals)>, StoreError>;
}
