//! [`ChatCache`] on Redis.
//!
//! Per chat, two keys in one hash slot (`{chat id}` is a cluster hash tag, so the
//! scripts stay valid on Redis Cluster): `…:gen`, the chat's generation, and `…:pages`,
//! a hash of serialized pages by page key. `invalidate` moves the generation on and
//! deletes the pages; `put` stores a page only if the generation is still the one its
//! reader saw. Each runs as one script, so a page read before a write can never be
//! stored after it.
//!
//! A missing generation starts at the server's time in microseconds rather than 0:
//! after an idle generation key expires, the new one is far above any value handed out
//! before, so a reader holding an old generation cannot match it by accident.

use async_trait::async_trait;
use fred::types::Value;
use polychat_domain::ChatId;
use polychat_domain::ports::{CacheLookup, ChatCache, ChatPageKey, StoreError};

use crate::connect::Redis;
use crate::error::millis;

/// How long a chat's generation outlives its last use: far longer than any read takes.
const GENERATION_TTL: std::time::Duration = std::time::Duration::from_hours(24);

/// KEYS: generation, pages. ARGV: page field, generation TTL (ms).
/// Returns the page (a string) on a hit, or the generation (an integer) on a miss.
pub(crate) const GET: &str = r"
local page = redis.call('HGET', KEYS[2], ARGV[1])
if page then return page end
local generation = redis.call('GET', KEYS[1])
if not generation then
  local now = redis.call('TIME')
  generation = now[1] .. string.format('%06d', tonumber(now[2]))
  redis.call('SET', KEYS[1], generation, 'PX', ARGV[2])
end
return tonumber(generation)
";

/// KEYS: generation, pages. ARGV: generation seen, page field, body, page TTL (ms),
/// generation TTL (ms). Stores the page only if the generation has not moved.
pub(crate) const PUT: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
";

/// KEYS: generation, pages. ARGV: generation TTL (ms).
pub(crate) const INVALIDATE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
";

impl Redis {
    /// Never shorter than a page's life, so a page never outlives its generation.
    fn generation_ttl(&self) -> i64 {
        millis(GENERATION_TTL.max(self.cache_ttl))
    }

    fn cache_keys(&self, chat: ChatId) -> Vec<String> {
        vec![
            self.key(format_args!("cache:{{{chat}}}:gen")),
            self.key(format_args!("cache:{{{chat}}}:pages")),
        ]
    }
}

/// The hash field of one page: its size and where it ends.
fn page_field(page: ChatPageKey) -> String {
    match page.before {
        Some(before) => format!("{}:{before}", page.limit),
        None => format!("{}:-", page.limit),
    }
}

#[async_trait]
impl ChatCache for Redis {
    async fn get(&self, chat: ChatId, page: ChatPageKey) -> Result<CacheLookup, StoreError> {
        let args = vec![
            Value::from(page_field(page)),
            Value::from(self.generation_ttl()),
        ];
        let script = &self.scripts.cache_get;
        let found: Value = script
            .run(&self.pool, self.cache_keys(chat), args)
            .await
            .map_err(|error| self.failed(error))?;
        match found {
            Value::Integer(generation) => Ok(CacheLookup::Miss {
                generation: u64::try_from(generation).unwrap_or(0),
            }),
            other => other
                .into_bytes()
                .map(|body| CacheLookup::Hit(body.to_vec()))
                .ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("unexpected cache reply"))),
        }
    }

    async fn put(
        &self,
        chat: ChatId,
        page: ChatPageKey,
        generation: u64,
        body: &[u8],
    ) -> Result<(), StoreError> {
        let args = vec![
            Value::from(generation.to_string()),
            Value::from(page_field(page)),
            Value::from(body),
            Value::from(millis(self.cache_ttl)),
            Value::from(self.generation_ttl()),
        ];
        let script = &self.scripts.cache_put;
        let _stored: i64 = script
            .run(&self.pool, self.cache_keys(chat), args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }

    async fn invalidate(&self, chat: ChatId) -> Result<(), StoreError> {
        let args = vec![Value::from(self.generation_ttl())];
        let script = &self.scripts.cache_invalidate;
        let _done: i64 = script
            .run(&self.pool, self.cache_keys(chat), args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}
