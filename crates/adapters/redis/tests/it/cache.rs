//! The chat cache on a real server: never stale across clients, entries expire, and
//! every key stays under the prefix.

use std::time::Duration;

use polychat_domain::ports::{CacheLookup, ChatCache, ChatPageKey};
use polychat_domain::{ChatId, MessageId};
use polychat_redis::connect;

use crate::{config, keys_under, raw_client, redis_url, with_redis};

const NEWEST: ChatPageKey = ChatPageKey {
    limit: 50,
    before: None,
};

fn miss(lookup: &CacheLookup) -> u64 {
    match *lookup {
        CacheLookup::Miss { generation } => generation,
        CacheLookup::Hit(_) => panic!("expected a miss"),
    }
}

#[tokio::test]
async fn a_put_after_a_concurrent_invalidate_is_refused() {
    with_redis(async |reader, prefix| {
        // The writer is another replica: its own client, the same keys.
        let writer = connect(&config(&redis_url(), &prefix)).await.unwrap();
        let chat = ChatId::generate();
        let generation = miss(&reader.get(chat, NEWEST).await.unwrap());
        writer.invalidate(chat).await.unwrap();
        reader
            .put(chat, NEWEST, generation, b"read before the write")
            .await
            .unwrap();
        let after = miss(&writer.get(chat, NEWEST).await.unwrap());
        assert_ne!(after, generation);
        writer.put(chat, NEWEST, after, b"fresh").await.unwrap();
        assert_eq!(
            reader.get(chat, NEWEST).await.unwrap(),
            CacheLookup::Hit(b"fresh".to_vec())
        );
    })
    .await;
}

#[tokio::test]
async fn racing_readers_and_writers_never_leave_a_stale_page() {
    with_redis(async |redis, _| {
        let chat = ChatId::generate();
        for round in 0..50_u32 {
            let generation = miss(&redis.get(chat, NEWEST).await.unwrap());
            let body = format!("version {round}");
            let (put, invalidated) = tokio::join!(
                redis.put(chat, NEWEST, generation, body.as_bytes()),
                redis.invalidate(chat),
            );
            put.unwrap();
            invalidated.unwrap();
            // Whatever the order, the invalidation came last: no page survives it.
            assert!(matches!(
                redis.get(chat, NEWEST).await.unwrap(),
                CacheLookup::Miss { .. }
            ));
        }
    })
    .await;
}

#[tokio::test]
async fn pages_expire_after_the_cache_ttl() {
    with_redis(async |_, prefix| {
        let mut short = config(&redis_url(), &prefix);
        short.cache_ttl = Duration::from_millis(300);
        let redis = connect(&short).await.unwrap();
        let chat = ChatId::generate();
        let generation = miss(&redis.get(chat, NEWEST).await.unwrap());
        redis.put(chat, NEWEST, generation, b"page").await.unwrap();
        assert!(matches!(
            redis.get(chat, NEWEST).await.unwrap(),
            CacheLookup::Hit(_)
        ));
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(miss(&redis.get(chat, NEWEST).await.unwrap()), generation);
    })
    .await;
}

#[tokio::test]
async fn every_key_lives_under_the_prefix_and_has_a_ttl() {
    with_redis(async |redis, prefix| {
        let chat = ChatId::generate();
        let older = ChatPageKey {
            limit: 20,
            before: Some(MessageId::generate()),
        };
        let generation = miss(&redis.get(chat, older).await.unwrap());
        redis.put(chat, older, generation, b"x").await.unwrap();
        let client = raw_client(&redis_url()).await;
        let keys = keys_under(&client, &prefix).await;
        assert_eq!(keys.len(), 2, "a generation and a page hash: {keys:?}");
        for key in keys {
            let ttl: i64 = fred::interfaces::KeysInterface::pttl(&client, &key)
                .await
                .unwrap();
            assert!(ttl > 0, "{key} expires");
        }
    })
    .await;
}
