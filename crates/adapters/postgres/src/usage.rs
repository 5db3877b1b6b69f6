//! [`UsageLedger`] on `usage_events`: batches appended in one multi-row insert; reports
//! summed in SQL over a range of days (UTC), for one user or all, per model, day or
//! user.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use polychat_domain::ModelName;
use polychat_domain::ports::{StoreError, UsageLedger};
use polychat_domain::usage::{UsageGroup, UsageQuery, UsageRecord, UsageTotals};
use uuid::Uuid;

use crate::error::corrupt;
use crate::pool::{Postgres, Within as _};
use crate::schema::usage_events as events;

/// Rows per insert statement (13 parameters each, far below PostgreSQL's 65535).
const INSERT_CHUNK: usize = 1_000;

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEvent<'a> {
    user_id: Uuid,
    model: &'a str,
    fallback_from: Option<&'a str>,
    route: &'static str,
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
    estimated: bool,
    succeeded: bool,
    latency_ms: i32,
    created_at: DateTime<Utc>,
}

fn tokens(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

impl<'a> From<&'a UsageRecord> for NewEvent<'a> {
    fn from(record: &'a UsageRecord) -> Self {
        Self {
            user_id: record.user_id.as_uuid(),
            model: record.model.as_str(),
            fallback_from: record.fallback_from.as_ref().map(ModelName::as_str),
            route: record.route.as_str(),
            prompt_tokens: tokens(record.usage.prompt_tokens),
            completion_tokens: tokens(record.usage.completion_tokens),
            total_tokens: tokens(record.usage.total_tokens),
            estimated: record.usage.estimated,
            succeeded: record.succeeded,
            latency_ms: i32::try_from(record.latency_ms).unwrap_or(i32::MAX),
            created_at: record.at,
        }
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

fn count(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|e| corrupt("usage total", e))
}

#[async_trait]
impl UsageLedger for Postgres {
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let rows: Vec<NewEvent<'_>> = records.iter().map(Into::into).collect();
        let mut conn = self.conn().await?;
        for chunk in rows.chunks(INSERT_CHUNK) {
            diesel::insert_into(events::table)
                .values(chunk)
                .execute(&mut conn)
                .within(self.deadline)
                .await
                .map_err(|error| self.failed(error))?;
        }
        Ok(())
    }

    async fn totals(&self, query: &UsageQuery) -> Result<Vec<(String, UsageTotals)>, StoreError> {
        let key = match query.group_by {
            UsageGroup::Model => "model",
            UsageGroup::Day => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
            UsageGroup::User => "user_id::text",
        };
        let end = query.to.succ_opt().unwrap_or(query.to);
        let mut select = events::table
            .filter(events::created_at.ge(start_of(query.from)))
            .filter(events::created_at.lt(start_of(end)))
            .group_by(sql::<Text>(key))
            .select((
                sql::<Text>(key),
                sql::<BigInt>("count(*)"),
                sql::<BigInt>("sum(prompt_tokens)::bigint"),
                sql::<BigInt>("sum(completion_tokens)::bigint"),
                sql::<BigInt>("sum(total_tokens)::bigint"),
            ))
            .order(sql::<Text>(key))
            .into_boxed();
        if let Some(user) = query.user {
            select = select.filter(events::user_id.eq(user.as_uuid()));
        }
        let mut conn = self.conn().await?;
        let rows: Vec<(String, i64, i64, i64, i64)> = select
            .load(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        rows.into_iter()
            .map(|(key, requests, prompt, completion, total)| {
                Ok((
                    key,
                    UsageTotals {
                        requests: count(requests)?,
                        prompt_tokens: count(prompt)?,
                        completion_tokens: count(completion)?,
                        total_tokens: count(total)?,
                    },
                ))
            })
            .collect()
    }
}
