//! An in-memory [`UsageLedger`], and the contract every ledger keeps.

mod contract;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use polychat_domain::ports::{StoreError, UsageLedger};
use polychat_domain::usage::{UsageGroup, UsageQuery, UsageRecord, UsageTotals};

pub use contract::{contract, record};

/// The records in a list.
#[derive(Clone, Default)]
pub struct InMemoryUsageLedger {
    records: Arc<Mutex<Vec<UsageRecord>>>,
}

impl InMemoryUsageLedger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record appended so far.
    pub fn records(&self) -> Vec<UsageRecord> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl UsageLedger for InMemoryUsageLedger {
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(records);
        Ok(())
    }

    async fn totals(&self, query: &UsageQuery) -> Result<Vec<(String, UsageTotals)>, StoreError> {
        let mut totals: BTreeMap<String, UsageTotals> = BTreeMap::new();
        for record in self.records() {
            let day = record.at.date_naive();
            if day < query.from || day > query.to || query.user.is_some_and(|u| u != record.user_id)
            {
                continue;
            }
            let key = match query.group_by {
                UsageGroup::Model => record.model.to_string(),
                UsageGroup::Day => day.format("%Y-%m-%d").to_string(),
                UsageGroup::User => record.user_id.to_string(),
            };
            *totals.entry(key).or_default() += UsageTotals {
                requests: 1,
                prompt_tokens: record.usage.prompt_tokens,
                completion_tokens: record.usage.completion_tokens,
                total_tokens: record.usage.total_tokens,
            };
        }
        Ok(totals.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_contract() {
        contract(&InMemoryUsageLedger::new()).await;
    }
}
