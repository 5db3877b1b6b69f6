//! [`TokenDenylist`] on Redis: one key per revoked token and per revoked family, each
//! expiring when the token itself would (`PXAT` its expiry), so the list never grows
//! beyond the tokens still alive. Refresh rotation lives in the durable session store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fred::interfaces::KeysInterface;
use fred::types::Value;
use polychat_domain::ports::{StoreError, TokenDenylist};
use uuid::Uuid;

use crate::connect::Redis;

/// KEYS: the entry. ARGV: expiry (Unix ms). Sets the entry, or pushes an existing
/// one's expiry later (`GT`), never earlier: a short revocation must not cut a
/// longer one of the same family.
pub(crate) const REVOKE: &str = r"
if redis.call('SET', KEYS[1], '1', 'NX', 'PXAT', ARGV[1]) then return 1 end
redis.call('PEXPIREAT', KEYS[1], ARGV[1], 'GT')
return 0
";

/// Unix milliseconds for `PXAT`, which refuses values below 1.
fn unix_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis().max(1)
}

impl Redis {
    async fn revoke(&self, key: String, until: DateTime<Utc>) -> Result<(), StoreError> {
        let args = vec![Value::from(unix_millis(until))];
        let script = &self.scripts.revoke;
        let _created: i64 = script
            .run(&self.pool, vec![key], args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}

#[async_trait]
impl TokenDenylist for Redis {
    async fn revoke_token(&self, jti: Uuid, until: DateTime<Utc>) -> Result<(), StoreError> {
        let key = self.key(format_args!("revoked:token:{jti}"));
        self.revoke(key, until).await
    }

    async fn revoke_family(&self, family: Uuid, until: DateTime<Utc>) -> Result<(), StoreError> {
        let key = self.key(format_args!("revoked:family:{family}"));
        self.revoke(key, until).await
    }

    async fn is_revoked(&self, jti: Uuid, family: Uuid) -> Result<bool, StoreError> {
        // Two commands rather than one multi-key EXISTS: on Redis Cluster the two keys
        // live in different slots. fred pipelines them on the connection.
        let token = self.key(format_args!("revoked:token:{jti}"));
        let family = self.key(format_args!("revoked:family:{family}"));
        let (token, family): (i64, i64) =
            tokio::try_join!(self.pool.exists(token), self.pool.exists(family))
                .map_err(|error| self.failed(error))?;
        Ok(token > 0 || family > 0)
    }
}
