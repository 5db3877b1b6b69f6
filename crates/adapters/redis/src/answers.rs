//! [`AnswerLog`] on Redis: one stream per answer (`…answer:{message id}`), its entry ids
//! the events' own ids (`<seq>-<offset>`, increasing as Redis stream ids must), each
//! entry the event's payload in the field `e`. An append is one script: the entries,
//! then the expiry moved on, in one round trip.

use std::time::Duration;

use async_trait::async_trait;
use fred::types::Value;
use polychat_domain::MessageId;
use polychat_domain::ports::{AnswerLog, EventId, LoggedEvent, StoreError};

use crate::connect::Redis;
use crate::error::millis;

/// KEYS: the stream. ARGV: expiry (ms), then id and payload of each event.
pub(crate) const APPEND: &str = r"
for i = 2, #ARGV, 2 do
  redis.call('XADD', KEYS[1], ARGV[i], 'e', ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
";

/// KEYS: the stream. ARGV: the first id to read. Returns id, payload, id, payload, …
pub(crate) const READ: &str = r"
local out = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], ARGV[1], '+')) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return out
";

fn unexpected(what: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("unexpected answer log reply: {what}"))
}

impl Redis {
    fn answer_key(&self, message: MessageId) -> Vec<String> {
        vec![self.key(format_args!("answer:{{{message}}}"))]
    }
}

#[async_trait]
impl AnswerLog for Redis {
    async fn append(
        &self,
        message: MessageId,
        events: &[LoggedEvent],
        ttl: Duration,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut args = Vec::with_capacity(1 + 2 * events.len());
        args.push(Value::from(millis(ttl)));
        for event in events {
            args.push(Value::from(event.id.to_string()));
            args.push(Value::from(event.payload.as_slice()));
        }
        let script = &self.scripts.answer_append;
        let _done: i64 = script
            .run(&self.pool, self.answer_key(message), args)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(())
    }

    async fn read_after(
        &self,
        message: MessageId,
        after: EventId,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        let first = format!("{}-0", after.seq.saturating_add(1));
        let script = &self.scripts.answer_read;
        let reply: Vec<Value> = script
            .run(
                &self.pool,
                self.answer_key(message),
                vec![Value::from(first)],
            )
            .await
            .map_err(|error| self.failed(error))?;
        reply
            .chunks(2)
            .map(|pair| {
                let [id, payload] = pair else {
                    return Err(unexpected("an odd number of items"));
                };
                let id = id
                    .as_string()
                    .and_then(|id| EventId::parse(&id))
                    .ok_or_else(|| unexpected("an entry id"))?;
                let payload = payload
                    .as_bytes()
                    .ok_or_else(|| unexpected("a payload"))?
                    .to_vec();
                Ok(LoggedEvent { id, payload })
            })
            .collect()
    }
}
