//! Stamps as Redis keeps them: every key expires, and a stamp Redis lost comes
//! back different, so no replica trusts what it remembered under the old one.

use fred::interfaces::KeysInterface;
use polychat_domain::UserId;
use polychat_domain::ports::{StampScope, Stamps};

use crate::{keys_under, raw_client, redis_url, with_redis};

#[tokio::test]
async fn a_stamp_redis_lost_comes_back_different_and_every_stamp_expires() {
    with_redis(async |redis, prefix| {
        let read = StampScope::Account(UserId::generate());
        let renewed = StampScope::ModelRegistry;
        let before = redis.current(read).await.unwrap();
        redis.renew(renewed).await.unwrap();

        let client = raw_client(&redis_url()).await;
        let keys = keys_under(&client, &prefix).await;
        assert_eq!(keys.len(), 2, "one key per scope: {keys:?}");
        for key in &keys {
            let ttl: i64 = client.ttl(key).await.unwrap();
            assert!(ttl > 3600, "{key} expires, after a while: {ttl}");
            let _: i64 = client.del(key).await.unwrap();
        }
        assert_ne!(redis.current(read).await.unwrap(), before);
    })
    .await;
}
