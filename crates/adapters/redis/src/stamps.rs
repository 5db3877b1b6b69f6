//! [`Stamps`] on Redis: one key per scope (a user's account, the model registry) holding
//! a random stamp, made on first read and replaced by each renewal. Keys expire after a
//! day, which only costs every replica one database read for that scope; a Redis that loses them (a restart without
//! persistence, a failover) hands out new stamps, so nothing remembered matches by
//! chance.

use async_trait::async_trait;
use fred::interfaces::KeysInterface;
use fred::types::{Expiration, Value};
use polychat_domain::ports::{Stamp, StampScope, Stamps, StoreError};
use uuid::Uuid;

use crate::connect::Redis;

/// How long a stamp lives without a renewal.
const LIFETIME_S: i64 = 24 * 3600;

/// KEYS: the stamp. ARGV: a new random stamp, its lifetime (s). Returns the stamp,
/// storing the new one when there is none.
pub(crate) const CURRENT: &str = r"
local stamp = redis.call('GET', KEYS[1])
if stamp then return stamp end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]
";

fn random_stamp() -> u64 {
    Uuid::new_v4().as_u64_pair().0
}

impl Redis {
    fn stamp_key(&self, scope: StampScope) -> String {
        match scope {
            StampScope::Account(user) => self.key(format_args!("stamp:account:{user}")),
            StampScope::ModelRegistry => self.key(format_args!("stamp:model-registry")),
        }
    }
}

#[async_trait]
impl Stamps for Redis {
    async fn current(&self, scope: StampScope) -> Result<Stamp, StoreError> {
        let args = vec![
            Value::from(random_stamp().to_string()),
            Value::from(LIFETIME_S),
        ];
        let stamp: String = self
            .scripts
            .stamp_current
            .run(&self.pool, vec![self.stamp_key(scope)], args)
            .await
            .map_err(|error| self.failed(error))?;
        stamp.parse().map(Stamp).map_err(|error| {
            StoreError::Unknown(anyhow::anyhow!("a malformed account stamp: {error}"))
        })
    }

    async fn renew(&self, scope: StampScope) -> Result<(), StoreError> {
        let expiry = Some(Expiration::EX(LIFETIME_S));
        let _: Option<String> = self
            .pool
            .set(
                self.stamp_key(scope),
                random_stamp().to_string(),
                expiry,
                None,
                false,
            )
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}
