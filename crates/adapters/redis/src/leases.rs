//! [`Leases`] on Redis: one key per lease holding its holder's id, with an expiry that
//! each renewal pushes back.

use std::time::Duration;

use async_trait::async_trait;
use fred::types::Value;
use polychat_domain::ports::{Leases, StoreError};
use uuid::Uuid;

use crate::connect::Redis;
use crate::error::millis;

/// KEYS: the lease. ARGV: the holder, the lease's time (ms). Takes a free lease or
/// renews the holder's own; 1 when the holder has it afterwards.
pub(crate) const HOLD: &str = r"
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// KEYS: the lease. ARGV: the holder. Drops the lease if the holder has it.
pub(crate) const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

impl Redis {
    fn lease_key(&self, name: &str) -> String {
        self.key(format_args!("lease:{name}"))
    }
}

#[async_trait]
impl Leases for Redis {
    async fn hold(&self, name: &str, holder: Uuid, ttl: Duration) -> Result<bool, StoreError> {
        let args = vec![Value::from(holder.to_string()), Value::from(millis(ttl))];
        let held: i64 = self
            .scripts
            .lease_hold
            .run(&self.pool, vec![self.lease_key(name)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(held == 1)
    }

    async fn release(&self, name: &str, holder: Uuid) -> Result<(), StoreError> {
        let args = vec![Value::from(holder.to_string())];
        let _: i64 = self
            .scripts
            .lease_release
            .run(&self.pool, vec![self.lease_key(name)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}
