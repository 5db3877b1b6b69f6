//! Chat retention: chats last updated more than `keep_for` ago are deleted with their
//! messages, cached pages and search entries (usage rows stay: they hold no content).
//! A sweep runs in batches under a lease shared by every replica, so one replica
//! sweeps at a time; it renews the lease between batches and stops if it lost it. A
//! sweep cut short (a crash, a lost lease, a store error) leaves the rest for the next
//! one: each chat's deletion ends with the chat itself, so nothing is half forgotten.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use uuid::Uuid;

use super::chat::{ChatError, ChatService};
use crate::ports::{Clock, Leases};

/// The lease the sweep runs under.
const LEASE: &str = "retention-sweep";

/// How long chats are kept and how a sweep proceeds.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    /// Chats last updated longer ago than this are deleted.
    pub keep_for: TimeDelta,
    /// Chats deleted per batch.
    pub batch: u32,
    /// How long the lease lasts without a renewal (a batch must fit in it).
    pub lease: Duration,
    /// The most batches one sweep runs before it yields to the next.
    pub max_batches: u32,
}

impl RetentionPolicy {
    /// Keeps chats `days` days after their last update.
    pub fn days(days: u32) -> Self {
        Self {
            keep_for: TimeDelta::days(i64::from(days)),
            batch: 100,
            lease: Duration::from_mins(2),
            max_batches: 1_000,
        }
    }
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Whether this replica held the lease (another one sweeps otherwise).
    pub swept: bool,
    pub deleted: u64,
}

/// The retention sweep of one replica.
pub struct RetentionService {
    chats: ChatService,
    leases: Arc<dyn Leases>,
    clock: Arc<dyn Clock>,
    policy: RetentionPolicy,
    /// This replica, as the lease's holder.
    holder: Uuid,
}

impl RetentionService {
    pub fn new(
        chats: ChatService,
        leases: Arc<dyn Leases>,
        clock: Arc<dyn Clock>,
        policy: RetentionPolicy,
    ) -> Self {
        Self {
            chats,
            leases,
            clock,
            policy,
            holder: Uuid::new_v4(),
        }
    }

    /// One sweep: nothing when another replica holds the lease.
    ///
    /// # Errors
    /// A store failed; what was deleted before stays deleted.
    pub async fn sweep(&self) -> Result<SweepReport, ChatError> {
        let mut report = SweepReport::default();
        let before = self.clock.now() - self.policy.keep_for;
        for _ in 0..self.policy.max_batches {
            if !self
                .leases
                .hold(LEASE, self.holder, self.policy.lease)
                .await?
            {
                return Ok(report);
            }
            report.swept = true;
            let (found, deleted) = self.chats.expire_chats(before, self.policy.batch).await?;
            report.deleted += deleted;
            // A short batch was the last; a batch of chats all updated meanwhile would
            // only find them again.
            if found < usize::try_from(self.policy.batch).unwrap_or(usize::MAX) || deleted == 0 {
                break;
            }
        }
        self.leases.release(LEASE, self.holder).await?;
        if report.deleted > 0 {
            tracing::info!(deleted = report.deleted, "retention sweep deleted chats");
        }
        Ok(report)
    }
}
