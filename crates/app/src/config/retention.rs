//! The retention section: how long chats are kept, and how often each replica
//! tries a sweep.

use std::time::Duration;

use polychat_domain::services::retention::RetentionPolicy;

use super::variable::Variable;
use super::{ConfigError, Source, invalid};

const CHAT_RETENTION_DAYS: Variable = Variable::optional(
    "CHAT_RETENTION_DAYS",
    "chats not updated for this many days (at least 1) are deleted with their messages, cached pages and search entries; usage rows stay",
)
.described("none: chats are kept");
const CHAT_RETENTION_SWEEP_SECONDS: Variable = Variable::with_default(
    "CHAT_RETENTION_SWEEP_SECONDS",
    "300",
    "how often each replica tries a retention sweep (one at a time holds a Redis lease)",
);

pub(super) const VARIABLES: &[&Variable] = &[&CHAT_RETENTION_DAYS, &CHAT_RETENTION_SWEEP_SECONDS];

/// Whether and how chats expire.
#[derive(Debug, Clone, Copy)]
pub struct RetentionConfig {
    /// Unset, chats are kept.
    pub policy: Option<RetentionPolicy>,
    pub sweep_every: Duration,
}

impl RetentionConfig {
    pub(super) fn load(source: &Source) -> Result<Self, ConfigError> {
        let policy = match source.text(&CHAT_RETENTION_DAYS) {
            None => None,
            Some(raw) => match raw.parse::<u32>() {
                Ok(days) if days >= 1 => Some(RetentionPolicy::days(days)),
                _ => {
                    return Err(invalid(
                        CHAT_RETENTION_DAYS.name,
                        format!("must be a whole number of days, at least 1, got {raw:?}"),
                    ));
                }
            },
        };
        let sweep_every = match source.required::<u64>(&CHAT_RETENTION_SWEEP_SECONDS)? {
            0 => {
                return Err(invalid(
                    CHAT_RETENTION_SWEEP_SECONDS.name,
                    "must be at least 1",
                ));
            }
            seconds => Duration::from_secs(seconds),
        };
        Ok(Self {
            policy,
            sweep_every,
        })
    }
}
