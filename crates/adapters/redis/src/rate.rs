//! [`RateLimiter`] on Redis: GCRA in one Lua script, on the server's clock.
//!
//! Each key keeps its theoretical arrival time (TAT) in microseconds. A request of
//! `cost` moves it on by `cost * period / burst` and is allowed while the new TAT is at
//! most `period` ahead of now; otherwise it is refused with the exact wait until it
//! would be. The key expires when its TAT is reached, as the budget is full again by
//! then. The in-memory fake in the testkit runs the same arithmetic.

use std::time::Duration;

use async_trait::async_trait;
use fred::types::Value;
use polychat_domain::ports::{Quota, RateDecision, RateLimiter, StoreError};

use crate::connect::Redis;

/// KEYS: the budget. ARGV: period (µs), burst, cost.
/// Returns {1, 0} when allowed, {0, wait in µs} when limited. A cost of 0 answers for
/// a cost of 1 without spending it.
pub(crate) const GCRA: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local period = tonumber(ARGV[1])
local interval = period / math.max(tonumber(ARGV[2]), 1)
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < now then tat = now end
local next_tat = tat + interval * math.max(cost, 1)
local allowed_at = next_tat - period
if now < allowed_at then
  return {0, math.ceil(allowed_at - now)}
end
if cost > 0 then
  local ttl = math.ceil((next_tat - now) / 1000) + 1
  redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', ttl)
end
return {1, 0}
";

#[async_trait]
impl RateLimiter for Redis {
    async fn acquire(
        &self,
        key: &str,
        quota: Quota,
        cost: u32,
    ) -> Result<RateDecision, StoreError> {
        let period = i64::try_from(quota.period.as_micros()).unwrap_or(i64::MAX);
        let args = vec![
            Value::from(period),
            Value::from(quota.burst),
            Value::from(cost),
        ];
        let budget = self.key(format_args!("rate:{key}"));
        let script = &self.scripts.rate;
        let (allowed, wait): (i64, i64) = script
            .run(&self.pool, vec![budget], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(if allowed == 1 {
            RateDecision::Allowed
        } else {
            RateDecision::Limited {
                retry_after: Duration::from_micros(u64::try_from(wait).unwrap_or(0)),
            }
        })
    }
}
