//! `last_used_at`, kept off the response path and written at most once per
//! resolution period per key and replica.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::ApiKeyPorts;
use crate::{ApiKey, ApiKeyId};

/// Past this many remembered keys, the ones not written within the period are dropped.
const PRUNE_ABOVE: usize = 4096;

/// When each key's use was last written by this process. Only a write throttle: losing
/// it (a restart, another replica) costs at most one extra write, never correctness.
pub(super) struct UsageRecorder {
    resolution: TimeDelta,
    written: Mutex<HashMap<ApiKeyId, DateTime<Utc>>>,
}

impl UsageRecorder {
    pub(super) fn new(resolution: Duration) -> Self {
        Self {
            resolution: TimeDelta::from_std(resolution).unwrap_or(TimeDelta::MAX),
            written: Mutex::default(),
        }
    }

    /// Schedules a write of `now` as the key's last use, unless the stored value or a
    /// write this process made is recent enough.
    pub(super) fn record(&self, key: &ApiKey, now: DateTime<Utc>, ports: &ApiKeyPorts) {
        let recent = |at: DateTime<Utc>| now - at < self.resolution;
        if key.last_used_at.is_some_and(recent) {
            return;
        }
        {
            let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
            if written.get(&key.id).copied().is_some_and(recent) {
                return;
            }
            if written.len() >= PRUNE_ABOVE {
                written.retain(|_, at| recent(*at));
            }
            written.insert(key.id, now);
        }
        let (keys, id) = (ports.keys.clone(), key.id);
        ports.tasks.spawn(Box::pin(async move {
            if let Err(error) = keys.touch(id, now).await {
                tracing::warn!(key_id = %id, error = %error, "could not record an API key's use");
            }
        }));
    }
}
