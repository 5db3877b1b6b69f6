//! [`IdempotencyStore`] on Redis: one hash per key with `state` (`in_progress` or
//! `completed`), the request's `fingerprint` and, once completed, its `result`.
//! A claim expires with its lease unless renewed; claiming, renewing, completing and
//! releasing are scripts, so two replicas never both own a key.

use std::time::Duration;

use async_trait::async_trait;
use fred::types::Value;
use polychat_domain::ports::{IdempotencyBegin, IdempotencyStore, StoreError};

use crate::connect::Redis;
use crate::error::millis;

/// KEYS: the record. ARGV: fingerprint, lease (ms).
/// Returns 0 started, 1 in progress, 2 mismatch, or the stored result (a string).
pub(crate) const BEGIN: &str = r"
local record = redis.call('HMGET', KEYS[1], 'fingerprint', 'result')
if not record[1] then
  redis.call('HSET', KEYS[1], 'state', 'in_progress', 'fingerprint', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
if record[1] ~= ARGV[1] then return 2 end
if record[2] then return record[2] end
return 1
";

/// KEYS: the record. ARGV: fingerprint, result, TTL (ms). A key claimed meanwhile by
/// another request (after a release or expiry) stays theirs.
pub(crate) const COMPLETE: &str = r"
local owner = redis.call('HGET', KEYS[1], 'fingerprint')
if owner and owner ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'completed', 'fingerprint', ARGV[1], 'result', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
";

/// KEYS: the record. ARGV: fingerprint, lease (ms). Extends a running claim of this
/// fingerprint; returns 1 if it did.
pub(crate) const RENEW: &str = r"
local record = redis.call('HMGET', KEYS[1], 'state', 'fingerprint')
if record[1] ~= 'in_progress' or record[2] ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
";

/// KEYS: the record. ARGV: fingerprint. Drops a running claim of this fingerprint.
pub(crate) const RELEASE: &str = r"
local record = redis.call('HMGET', KEYS[1], 'state', 'fingerprint')
if record[1] ~= 'in_progress' or record[2] ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
";

impl Redis {
    /// The scope's length goes into the key, so no scope/key pair can spell another.
    fn record_key(&self, scope: &str, key: &str) -> String {
        self.key(format_args!("idempotency:{}:{scope}:{key}", scope.len()))
    }
}

#[async_trait]
impl IdempotencyStore for Redis {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<IdempotencyBegin, StoreError> {
        let args = vec![Value::from(fingerprint), Value::from(millis(lease))];
        let script = &self.scripts.idempotency_begin;
        let state: Value = script
            .run(&self.pool, vec![self.record_key(scope, key)], args)
            .await
            .map_err(|error| self.failed(error))?;
        match state {
            Value::Integer(0) => Ok(IdempotencyBegin::Started),
            Value::Integer(1) => Ok(IdempotencyBegin::InProgress),
            Value::Integer(2) => Ok(IdempotencyBegin::Mismatch),
            other => other
                .into_bytes()
                .map(|result| IdempotencyBegin::Completed(result.to_vec()))
                .ok_or_else(|| {
                    StoreError::Unknown(anyhow::anyhow!("unexpected idempotency reply"))
                }),
        }
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        result: &[u8],
        retention: Duration,
    ) -> Result<(), StoreError> {
        let args = vec![
            Value::from(fingerprint),
            Value::from(result),
            Value::from(millis(retention)),
        ];
        let script = &self.scripts.idempotency_complete;
        let _stored: i64 = script
            .run(&self.pool, vec![self.record_key(scope, key)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }

    async fn renew(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let args = vec![Value::from(fingerprint), Value::from(millis(lease))];
        let renewed: i64 = self
            .scripts
            .idempotency_renew
            .run(&self.pool, vec![self.record_key(scope, key)], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(renewed == 1)
    }

    async fn release(&self, scope: &str, key: &str, fingerprint: &str) -> Result<(), StoreError> {
        let _released: i64 = self
            .scripts
            .idempotency_release
            .run(
                &self.pool,
                vec![self.record_key(scope, key)],
                vec![Value::from(fingerprint)],
            )
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}
