//! The usage ledger's use case: every model call recorded off the response path, in
//! batches (one write per flush interval, or as soon as a batch is full), and reports
//! of requests and tokens per model, day or user.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::NaiveDate;

use crate::ports::{Tasks, UsageLedger};
use crate::services::ServiceError;
use crate::usage::{UsageGroup, UsageQuery, UsageRecord, UsageReport, UsageTotals};
use crate::{UserId, ValidationError};

/// How records are batched.
#[derive(Debug, Clone, Copy)]
pub struct UsagePolicy {
    /// A record waits at most this long before it is written.
    pub flush_after: Duration,
    /// A batch this large is written at once.
    pub batch_size: usize,
    /// The longest span one report may cover.
    pub max_days: i64,
}

impl Default for UsagePolicy {
    fn default() -> Self {
        Self {
            flush_after: Duration::from_millis(500),
            batch_size: 500,
            max_days: 366,
        }
    }
}

/// Records model calls and reports on them.
pub struct UsageService {
    ledger: Arc<dyn UsageLedger>,
    tasks: Arc<dyn Tasks>,
    policy: UsagePolicy,
    pending: Arc<Mutex<Vec<UsageRecord>>>,
}

impl UsageService {
    pub fn new(ledger: Arc<dyn UsageLedger>, tasks: Arc<dyn Tasks>, policy: UsagePolicy) -> Self {
        Self {
            ledger,
            tasks,
            policy,
            pending: Arc::default(),
        }
    }

    /// Counts one call. The first record of a batch schedules its write; a full batch
    /// is written at once. A failed write is logged, never the caller's problem.
    pub fn record(&self, record: UsageRecord) {
        let (first, full) = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.push(record);
            (pending.len() == 1, pending.len() >= self.policy.batch_size)
        };
        if !(first || full) {
            return;
        }
        let wait = if full {
            None
        } else {
            Some(self.tasks.sleep(self.policy.flush_after))
        };
        let (ledger, pending) = (self.ledger.clone(), self.pending.clone());
        self.tasks.spawn(Box::pin(async move {
            if let Some(wait) = wait {
                wait.await;
            }
            let batch =
                std::mem::take(&mut *pending.lock().unwrap_or_else(PoisonError::into_inner));
            if batch.is_empty() {
                return;
            }
            if let Err(error) = ledger.append(&batch).await {
                tracing::warn!(error = %error, records = batch.len(), "usage records not written");
            }
        }));
    }

    /// Requests and tokens between `from` and `to` (inclusive), for one user or all.
    pub async fn report(
        &self,
        user: Option<UserId>,
        from: &str,
        to: &str,
        group_by: UsageGroup,
    ) -> Result<UsageReport, ServiceError> {
        let day = |field: &'static str, text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| ValidationError::new(field, "must be a date YYYY-MM-DD"))
        };
        let (from, to) = (day("from", from)?, day("to", to)?);
        if to < from {
            return Err(ValidationError::new("to", "must not be before from").into());
        }
        if (to - from).num_days() >= self.policy.max_days {
            return Err(ValidationError::new(
                "to",
                format!("a report covers at most {} days", self.policy.max_days),
            )
            .into());
        }
        let query = UsageQuery {
            user,
            from,
            to,
            group_by,
        };
        let items = self.ledger.totals(&query).await?;
        let mut total = UsageTotals::default();
        for (_, totals) in &items {
            total += *totals;
        }
        Ok(UsageReport { items, total })
    }
}
