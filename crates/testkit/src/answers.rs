//! In-memory [`AnswerLog`], and the contract suite every answer log must pass.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use polychat_domain::MessageId;
use polychat_domain::ports::{AnswerLog, EventId, LoggedEvent, StoreError};

use crate::outage::Outage;

/// Each answer's events, in order. Logs never expire here; expiry only frees memory
/// once no client can still reconnect.
#[derive(Debug, Default)]
pub struct InMemoryAnswerLog {
    logs: Mutex<HashMap<MessageId, Vec<LoggedEvent>>>,
    outage: Outage,
}

impl InMemoryAnswerLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every call fail with [`StoreError::Unavailable`] while `down` is true.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    fn logs(&self) -> Result<MutexGuard<'_, HashMap<MessageId, Vec<LoggedEvent>>>, StoreError> {
        self.outage.check()?;
        Ok(self.logs.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl AnswerLog for InMemoryAnswerLog {
    async fn append(
        &self,
        message: MessageId,
        events: &[LoggedEvent],
        _ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut logs = self.logs()?;
        let log = logs.entry(message).or_default();
        for event in events {
            if log.last().is_some_and(|last| last.id >= event.id) {
                return Err(StoreError::Unknown(anyhow::anyhow!(
                    "event {} is not after the last one",
                    event.id
                )));
            }
            log.push(event.clone());
        }
        Ok(())
    }

    async fn read_after(
        &self,
        message: MessageId,
        after: EventId,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        let logs = self.logs()?;
        Ok(logs
            .get(&message)
            .map(|log| {
                log.iter()
                    .filter(|event| event.id.seq > after.seq)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }
}

fn event(seq: u64, offset: u64, payload: &str) -> LoggedEvent {
    LoggedEvent {
        id: EventId { seq, offset },
        payload: payload.as_bytes().to_vec(),
    }
}

/// The behaviour every [`AnswerLog`] must show.
///
/// # Panics
/// When the log breaks the contract (a failed assertion names the rule).
pub async fn answer_log_contract(log: &dyn AnswerLog) {
    let ttl = Duration::from_mins(1);
    let answer = MessageId::generate();
    let other = MessageId::generate();
    let read = async |message, after| log.read_after(message, after).await.expect("read_after");
    assert_eq!(
        read(answer, EventId::START).await,
        vec![],
        "no log, no events"
    );

    let first = vec![event(1, 3, "{\"a\":\"olá\"}"), event(2, 5, "b")];
    log.append(answer, &first, ttl).await.expect("append");
    log.append(other, &[event(1, 1, "x")], ttl)
        .await
        .expect("append to another answer");
    log.append(answer, &[event(3, 5, "done")], ttl)
        .await
        .expect("append again");
    let all = read(answer, EventId::START).await;
    assert_eq!(
        all,
        vec![first[0].clone(), first[1].clone(), event(3, 5, "done")],
        "every event, in order, payloads intact"
    );
    assert_eq!(
        read(answer, EventId { seq: 1, offset: 3 }).await,
        all[1..].to_vec(),
        "only the events after the given one"
    );
    assert_eq!(
        read(answer, EventId { seq: 1, offset: 0 }).await,
        all[1..].to_vec(),
        "after is by sequence number"
    );
    assert_eq!(read(answer, EventId { seq: 3, offset: 5 }).await, vec![]);
    assert_eq!(read(other, EventId::START).await, vec![event(1, 1, "x")]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_contract() {
        answer_log_contract(&InMemoryAnswerLog::new()).await;
    }

    #[tokio::test]
    async fn an_outage_fails_every_call_until_it_ends() {
        let log = InMemoryAnswerLog::new();
        log.set_unavailable(true);
        let events = [event(1, 0, "x")];
        let down = log.append(MessageId::generate(), &events, Duration::from_secs(1));
        assert!(matches!(down.await, Err(StoreError::Unavailable(_))));
        log.set_unavailable(false);
        answer_log_contract(&log).await;
    }
}
