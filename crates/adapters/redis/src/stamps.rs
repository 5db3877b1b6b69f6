//! [`AccountStamps`] on Redis: one key per user holding a random stamp, made on first
//! read and replaced by each renewal. Keys expire after a day, which only costs every
//! replica one database read for that user; a Redis that loses them (a restart without
//! persistence, a failover) hands out new stamps, so nothing remembered matches by
//! chance.

use async_trait::async_trait;
use fred::interfaces::KeysInterface;
use fred::types::{Expiration, Value};
use polychat_domain::UserId;
use polychat_domain::ports::{AccountStamp, AccountStamps, StoreError};
use uuid::Uuid;

use crate::connect::Redis;
use crate::error::store_error;

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
    fn stamp_key(&self, user: UserId) -> String {
        self.key(format_args!("account-stamp:{user}"))
    }
}

#[async_trait]
impl AccountStamps for Redis {
    async fn current(&self, user: UserId) -> Result<AccountStamp, StoreError> {
        let args = vec![
            Value::from(random_stamp().to_string()),
            Value::from(LIFETIME_S),
        ];
        let stamp: String = self
            .scripts
            .stamp_current
            .run(&self.pool, vec![self.stamp_key(user)], args)
            .await
            .map_err(store_error)?;
        stamp.parse().map(AccountStamp).map_err(|error| {
            StoreError::Unknown(anyhow::anyhow!("a malformed account stamp: {error}"))
        })
    }

    async fn renew(&self, user: UserId) -> Result<(), StoreError> {
        let expiry = Some(Expiration::EX(LIFETIME_S));
        let _: Option<String> = self
            .pool
            .set(
                self.stamp_key(user),
                random_stamp().to_string(),
                expiry,
                None,
                false,
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
