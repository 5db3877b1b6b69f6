//! Lua scripts run by hash (`EVALSHA`), falling back to the source (`EVAL`) when the
//! server does not know the hash, e.g. after a restart or a failover emptied its
//! script cache.

use std::sync::OnceLock;

use fred::clients::Pool;
use fred::error::Error;
use fred::interfaces::LuaInterface;
use fred::types::{FromValue, Value};

/// One Lua script and, once learnt from the server, its SHA-1.
#[derive(Debug)]
pub(crate) struct Script {
    source: &'static str,
    sha: OnceLock<String>,
}

impl Script {
    pub(crate) const fn new(source: &'static str) -> Self {
        Self {
            source,
            sha: OnceLock::new(),
        }
    }

    /// Runs the script atomically on the server that owns `keys`.
    pub(crate) async fn run<R: FromValue>(
        &self,
        pool: &Pool,
        keys: Vec<String>,
        args: Vec<Value>,
    ) -> Result<R, Error> {
        let sha = if let Some(sha) = self.sha.get() {
            sha.clone()
        } else {
            let sha: String = pool.script_load(self.source).await?;
            self.sha.get_or_init(|| sha).clone()
        };
        match pool.evalsha(sha, keys.clone(), args.clone()).await {
            // EVAL runs it and puts it back into the server's cache for the next EVALSHA.
            Err(error) if error.details().starts_with("NOSCRIPT") => {
                tracing::debug!(
                    "Redis lost its script cache (restart or failover); sending the source"
                );
                pool.eval(self.source, keys, args).await
            }
            result => result,
        }
    }
}

/// Every script this adapter runs, each remembering its hash.
#[derive(Debug)]
pub(crate) struct Scripts {
    pub(crate) cache_get: Script,
    pub(crate) cache_put: Script,
    pub(crate) cache_invalidate: Script,
    pub(crate) revoke: Script,
    pub(crate) rate: Script,
    pub(crate) idempotency_begin: Script,
    pub(crate) idempotency_complete: Script,
    pub(crate) idempotency_renew: Script,
    pub(crate) idempotency_release: Script,
    pub(crate) answer_append: Script,
    pub(crate) answer_read: Script,
    pub(crate) stamp_current: Script,
    pub(crate) lease_hold: Script,
    pub(crate) lease_release: Script,
    pub(crate) generations_take: Script,
    pub(crate) generations_renew: Script,
    pub(crate) generations_release: Script,
}

impl Scripts {
    pub(crate) const fn new() -> Self {
        Self {
            cache_get: Script::new(crate::cache::GET),
            cache_put: Script::new(crate::cache::PUT),
            cache_invalidate: Script::new(crate::cache::INVALIDATE),
            revoke: Script::new(crate::denylist::REVOKE),
            rate: Script::new(crate::rate::GCRA),
            idempotency_begin: Script::new(crate::idempotency::BEGIN),
            idempotency_complete: Script::new(crate::idempotency::COMPLETE),
            idempotency_renew: Script::new(crate::idempotency::RENEW),
            idempotency_release: Script::new(crate::idempotency::RELEASE),
            answer_append: Script::new(crate::answers::APPEND),
            answer_read: Script::new(crate::answers::READ),
            stamp_current: Script::new(crate::stamps::CURRENT),
            lease_hold: Script::new(crate::leases::HOLD),
            lease_release: Script::new(crate::leases::RELEASE),
            generations_take: Script::new(crate::generations::TAKE),
            generations_renew: Script::new(crate::generations::RENEW),
            generations_release: Script::new(crate::generations::RELEASE),
        }
    }
}
