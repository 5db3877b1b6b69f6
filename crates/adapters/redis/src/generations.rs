//! [`GenerationSlots`] on Redis: one sorted set per user, each member a holder scored
//! with the end of its lease (ms, by the server's clock). Every script first drops the
//! lapsed members, so a replica that crashed frees its slots when their leases end, and
//! the set itself expires with its last lease.

use std::time::Duration;

use async_trait::async_trait;
use fred::types::Value;
use polychat_domain::UserId;
use polychat_domain::ports::{GenerationSlots, SlotDecision, StoreError};
use uuid::Uuid;

use crate::connect::Redis;
use crate::error::millis;

/// KEYS: the user's slots. ARGV: the holder, the limit, the lease (ms). 0 when the
/// holder has a slot afterwards, else the ms until the soonest lease ends.
pub(crate) const TAKE: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[1], last[2])
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(tonumber(first[2]) - now, 1)
";

/// KEYS: the user's slots. ARGV: the holder, the lease (ms). 1 when the holder's lease
/// was pushed back, 0 when it has no slot.
pub(crate) const RENEW: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
";

/// KEYS: the user's slots. ARGV: the holder. Frees its slot.
pub(crate) const RELEASE: &str = r"
return redis.call('ZREM', KEYS[1], ARGV[1])
";

impl Redis {
    fn slots_key(&self, owner: UserId) -> String {
        self.key(format_args!("generations:{owner}"))
    }
}

#[async_trait]
impl GenerationSlots for Redis {
    async fn take(
        &self,
        owner: UserId,
        holder: Uuid,
        limit: u32,
        lease: Duration,
    ) -> Result<SlotDecision, StoreError> {
        let args = vec![
            Value::from(holder.to_string()),
            Value::from(limit),
            Value::from(millis(lease)),
        ];
        let wait: i64 = self
            .scripts
            .generations_take
            .run(&self.pool, vec![self.slots_key(owner)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(match u64::try_from(wait) {
            Ok(0) | Err(_) => SlotDecision::Taken,
            Ok(wait) => SlotDecision::Full {
                retry_after: Duration::from_millis(wait),
            },
        })
    }

    async fn renew(
        &self,
        owner: UserId,
        holder: Uuid,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let args = vec![Value::from(holder.to_string()), Value::from(millis(lease))];
        let renewed: i64 = self
            .scripts
            .generations_renew
            .run(&self.pool, vec![self.slots_key(owner)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(renewed == 1)
    }

    async fn release(&self, owner: UserId, holder: Uuid) -> Result<(), StoreError> {
        let args = vec![Value::from(holder.to_string())];
        let _: i64 = self
            .scripts
            .generations_release
            .run(&self.pool, vec![self.slots_key(owner)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}
