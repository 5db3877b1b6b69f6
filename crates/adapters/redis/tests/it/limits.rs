//! Rate limits and idempotency records on a real server: exact retry times, one budget
//! shared by every replica, and atomic claims under concurrency.

use std::time::Duration;

use futures_util::future::join_all;
use polychat_domain::ports::{
    IdempotencyBegin, IdempotencyStore, Quota, RateDecision, RateLimiter,
};
use polychat_redis::connect;

use crate::{config, redis_url, with_redis};

#[tokio::test]
async fn a_burst_passes_then_retry_after_is_one_emission_interval() {
    with_redis(async |redis, _| {
        let quota = Quota {
            burst: 5,
            period: Duration::from_mins(1),
        };
        for _ in 0..5 {
            assert_eq!(
                redis.acquire("user-1", quota, 1).await.unwrap(),
                RateDecision::Allowed
            );
        }
        let RateDecision::Limited { retry_after } =
            redis.acquire("user-1", quota, 1).await.unwrap()
        else {
            panic!("the sixth request is limited");
        };
        let interval = Duration::from_secs(12);
        assert!(retry_after <= interval, "{retry_after:?}");
        assert!(
            retry_after > interval.saturating_sub(Duration::from_millis(500)),
            "{retry_after:?}"
        );
        assert_ne!(retry_after.subsec_micros(), 0, "sub-second precision kept");
    })
    .await;
}

#[tokio::test]
async fn two_replicas_share_one_budget() {
    with_redis(async |first, prefix| {
        let second = connect(&config(&redis_url(), &prefix)).await.unwrap();
        let quota = Quota {
            burst: 4,
            period: Duration::from_hours(1),
        };
        for replica in [&first, &second, &first, &second] {
            assert_eq!(
                replica.acquire("shared", quota, 1).await.unwrap(),
                RateDecision::Allowed
            );
        }
        for replica in [&first, &second] {
            let decision = replica.acquire("shared", quota, 1).await.unwrap();
            assert!(
                matches!(decision, RateDecision::Limited { .. }),
                "{decision:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn concurrent_requests_never_overspend() {
    with_redis(async |redis, _| {
        let quota = Quota {
            burst: 10,
            period: Duration::from_hours(1),
        };
        let decisions = join_all((0..60).map(|_| redis.acquire("crowd", quota, 1))).await;
        let allowed = decisions
            .into_iter()
            .filter(|decision| matches!(decision, Ok(RateDecision::Allowed)))
            .count();
        assert_eq!(allowed, 10);
    })
    .await;
}

#[tokio::test]
async fn one_of_many_concurrent_claims_wins() {
    with_redis(async |redis, prefix| {
        let other = connect(&config(&redis_url(), &prefix)).await.unwrap();
        let ttl = Duration::from_mins(1);
        let claims = join_all((0..20).map(|n| {
            let store = if n % 2 == 0 { &redis } else { &other };
            store.begin("user-1", "key-1", "body", ttl)
        }))
        .await;
        let started = claims
            .iter()
            .filter(|claim| matches!(claim, Ok(IdempotencyBegin::Started)))
            .count();
        let running = claims
            .iter()
            .filter(|claim| matches!(claim, Ok(IdempotencyBegin::InProgress)))
            .count();
        assert_eq!((started, running), (1, 19));
        other
            .complete("user-1", "key-1", "body", b"answer", ttl)
            .await
            .unwrap();
        let replay = redis.begin("user-1", "key-1", "body", ttl).await.unwrap();
        assert_eq!(replay, IdempotencyBegin::Completed(b"answer".to_vec()));
        let reused = redis
            .begin("user-1", "key-1", "another body", ttl)
            .await
            .unwrap();
        assert_eq!(reused, IdempotencyBegin::Mismatch);
    })
    .await;
}
