//! The testkit's contract suites, run against the real adapter: the fakes the use
//! cases are tested with behave like this. Here each suite is its own test on the
//! shared server; [`every_contract`] runs them all on another deployment (a cluster).

use std::time::Duration;

use polychat_domain::ports::{GenerationSlots, Leases as _, SlotDecision, SystemClock};
use polychat_testkit::answers::answer_log_contract;
use polychat_testkit::cache::chat_cache_contract;
use polychat_testkit::denylist::token_denylist_contract;
use polychat_testkit::generations::generation_slots_contract;
use polychat_testkit::leases::leases_contract;
use polychat_testkit::limits::{idempotency_contract, rate_limiter_contract};
use polychat_testkit::stamps::stamps_contract;

use polychat_redis::Redis;

use crate::with_redis;

async fn sleep(by: Duration) {
    tokio::time::sleep(by).await;
}

#[tokio::test]
async fn passes_the_chat_cache_contract() {
    with_redis(async |redis, _| chat_cache_contract(&redis).await).await;
}

#[tokio::test]
async fn passes_the_rate_limiter_contract() {
    with_redis(async |redis, _| rate_limiter_contract(&redis, sleep).await).await;
}

#[tokio::test]
async fn passes_the_idempotency_contract() {
    with_redis(async |redis, _| idempotency_contract(&redis, sleep).await).await;
}

#[tokio::test]
async fn passes_the_token_denylist_contract() {
    with_redis(async |redis, _| token_denylist_contract(&redis, &SystemClock, sleep).await).await;
}

#[tokio::test]
async fn passes_the_answer_log_contract() {
    with_redis(async |redis, _| answer_log_contract(&redis).await).await;
}

#[tokio::test]
async fn passes_the_stamps_contract() {
    with_redis(async |redis, _| stamps_contract(&redis).await).await;
}

/// The leases contract, then a lease its holder stops renewing lapses on the server.
async fn leases_and_a_lapse(redis: &Redis) {
    leases_contract(redis).await;
    let (first, second) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let short = Duration::from_millis(150);
    assert!(redis.hold("lapsing", first, short).await.expect("hold"));
    assert!(!redis.hold("lapsing", second, short).await.expect("hold"));
    sleep(Duration::from_millis(300)).await;
    assert!(
        redis.hold("lapsing", second, short).await.expect("hold"),
        "a lease its holder stopped renewing is free"
    );
}

#[tokio::test]
async fn passes_the_leases_contract_and_a_lease_lapses() {
    with_redis(async |redis, _| leases_and_a_lapse(&redis).await).await;
}

/// The generation slots contract, then a slot its holder stops renewing lapses on the
/// server.
async fn generation_slots_and_a_lapse(redis: &Redis) {
    generation_slots_contract(redis).await;
    let owner = polychat_domain::UserId::generate();
    let (first, second) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let short = Duration::from_millis(150);
    let take = async |holder| redis.take(owner, holder, 1, short).await.expect("take");
    assert_eq!(take(first).await, SlotDecision::Taken);
    assert!(matches!(take(second).await, SlotDecision::Full { .. }));
    sleep(Duration::from_millis(300)).await;
    assert_eq!(
        take(second).await,
        SlotDecision::Taken,
        "a slot its holder stopped renewing is free"
    );
    GenerationSlots::release(redis, owner, second)
        .await
        .expect("release");
}

#[tokio::test]
async fn passes_the_generation_slots_contract_and_a_slot_lapses() {
    with_redis(async |redis, _| generation_slots_and_a_lapse(&redis).await).await;
}

/// Every suite the tests above run, one after the other on `redis`.
pub(crate) async fn every_contract(redis: &Redis) {
    chat_cache_contract(redis).await;
    rate_limiter_contract(redis, sleep).await;
    idempotency_contract(redis, sleep).await;
    token_denylist_contract(redis, &SystemClock, sleep).await;
    answer_log_contract(redis).await;
    stamps_contract(redis).await;
    leases_and_a_lapse(redis).await;
    generation_slots_and_a_lapse(redis).await;
}
