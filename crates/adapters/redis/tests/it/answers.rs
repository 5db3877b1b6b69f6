//! The answer log's stream on the real server: one key per answer under the prefix,
//! expiring after the last append, gone once the expiry passes.

use std::time::Duration;

use fred::interfaces::KeysInterface;
use polychat_domain::MessageId;
use polychat_domain::ports::{AnswerLog, EventId, LoggedEvent};

use crate::{keys_under, raw_client, redis_url, with_redis};

fn event(seq: u64) -> LoggedEvent {
    LoggedEvent {
        id: EventId {
            seq,
            offset: seq * 2,
        },
        payload: b"{}".to_vec(),
    }
}

#[tokio::test]
async fn an_answers_log_expires_after_its_last_append() {
    with_redis(async |redis, prefix| {
        let client = raw_client(&redis_url()).await;
        let answer = MessageId::generate();
        let ttl = Duration::from_secs(30);
        redis
            .append(answer, &[event(1), event(2)], ttl)
            .await
            .expect("append");
        let keys = keys_under(&client, &prefix).await;
        assert_eq!(keys, vec![format!("{prefix}answer:{{{answer}}}")]);
        let left: i64 = client.pttl(&keys[0]).await.expect("PTTL");
        assert!(
            left > 25_000 && left <= 30_000,
            "expires in the TTL, got {left} ms"
        );

        let short = Duration::from_millis(200);
        redis
            .append(answer, &[event(3)], short)
            .await
            .expect("append");
        let left: i64 = client.pttl(&keys[0]).await.expect("PTTL");
        assert!(left <= 200, "each append moves the expiry, got {left} ms");
        tokio::time::sleep(Duration::from_millis(400)).await;
        let after = redis
            .read_after(answer, EventId::START)
            .await
            .expect("read");
        assert_eq!(after, vec![], "an expired log has no events");
    })
    .await;
}

#[tokio::test]
async fn an_event_not_after_the_last_is_refused() {
    with_redis(async |redis, _| {
        let answer = MessageId::generate();
        let ttl = Duration::from_secs(30);
        redis
            .append(answer, &[event(2)], ttl)
            .await
            .expect("append");
        assert!(redis.append(answer, &[event(1)], ttl).await.is_err());
        let read = redis
            .read_after(answer, EventId::START)
            .await
            .expect("read");
        assert_eq!(read, vec![event(2)]);
    })
    .await;
}
