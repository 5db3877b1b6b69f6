//! The usage ledger's terms: one record per model call, and reports of requests and
//! tokens per model, day or user.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{ModelName, Usage, UserId, ValidationError};

/// The front door a model call came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageRoute {
    /// `POST /chat`.
    Chat,
    /// `/v1/chat/completions`.
    ChatCompletions,
    /// `/v1/completions`.
    Completions,
}

impl UsageRoute {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::ChatCompletions => "v1/chat/completions",
            Self::Completions => "v1/completions",
        }
    }
}

/// One model call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub user_id: UserId,
    /// The model that answered (a fallback when one took over).
    pub model: ModelName,
    /// The model asked for, when a fallback answered in its place.
    pub fallback_from: Option<ModelName>,
    pub route: UsageRoute,
    /// The tokens; `usage.estimated` when counted by polychat.
    pub usage: Usage,
    pub succeeded: bool,
    pub latency_ms: u32,
    pub at: DateTime<Utc>,
}

/// What a usage report is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageGroup {
    Model,
    Day,
    User,
}

impl UsageGroup {
    pub fn parse(text: &str, allow_user: bool) -> Result<Self, ValidationError> {
        match text {
            "model" => Ok(Self::Model),
            "day" => Ok(Self::Day),
            "user" if allow_user => Ok(Self::User),
            _ => Err(ValidationError::new(
                "group_by",
                if allow_user {
                    "must be user, model or day"
                } else {
                    "must be model or day"
                },
            )),
        }
    }
}

/// Which records a report sums: one user's or everyone's, between two days inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageQuery {
    pub user: Option<UserId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: UsageGroup,
}

/// Requests and tokens summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageTotals {
    pub requests: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl std::ops::AddAssign for UsageTotals {
    fn add_assign(&mut self, rhs: Self) {
        self.requests += rhs.requests;
        self.prompt_tokens += rhs.prompt_tokens;
        self.completion_tokens += rhs.completion_tokens;
        self.total_tokens += rhs.total_tokens;
    }
}

/// A report: the totals per key (a model id, a day `YYYY-MM-DD` or a user id), by key,
/// and over all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    pub items: Vec<(String, UsageTotals)>,
    pub total: UsageTotals,
}
