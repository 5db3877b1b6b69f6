//! The retention sweep: chats last updated before the limit go with their messages,
//! cached pages and search entries; newer chats stay; one replica sweeps at a time
//! under the lease, in batches, and a sweep finds what an earlier one left.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use polychat_domain::ports::{ChatRepository as _, Clock, Leases};
use polychat_domain::services::chat::{ChatError, ChatPageRequest};
use polychat_domain::services::retention::{RetentionPolicy, RetentionService, SweepReport};
use polychat_testkit::leases::InMemoryLeases;
use uuid::Uuid;

use super::world::{World, ask, chat_of};

fn retention(world: &World, leases: Arc<InMemoryLeases>, batch: u32) -> RetentionService {
    let clock: Arc<dyn Clock> = world.clock.clone();
    let policy = RetentionPolicy {
        batch,
        ..RetentionPolicy::days(30)
    };
    RetentionService::new(world.chat.clone(), leases, clock, policy)
}

async fn new_chat(
    world: &World,
    user: &polychat_domain::User,
    text: &str,
) -> polychat_domain::ChatId {
    world.scripted().push_reply("noted");
    let turn = world.send(ask(user, None, text)).await.expect("turn");
    world.settle().await;
    chat_of(&turn).id
}

#[tokio::test]
async fn old_chats_go_with_everything_they_left_and_new_ones_stay() {
    let world = World::new();
    let leases = Arc::new(InMemoryLeases::new(world.clock.clone()));
    let ana = world.user("ana", true).await;
    let old = new_chat(&world, &ana, "Old question about Rust").await;
    let page = || ChatPageRequest {
        chat_id: old,
        limit: None,
        before: None,
    };
    world
        .chat
        .page(ana.id, page(), |_| Vec::new())
        .await
        .expect("cached");
    assert!(world.index.len_of_chat(ana.id, old) > 0);
    world.clock.advance(TimeDelta::days(31));
    let recent = new_chat(&world, &ana, "New question").await;

    let report = retention(&world, leases, 100).sweep().await.expect("sweep");
    assert_eq!(
        report,
        SweepReport {
            swept: true,
            deleted: 1
        }
    );
    let read = world.chat.page(ana.id, page(), |_| Vec::new()).await;
    assert!(
        matches!(read, Err(ChatError::NotFound)),
        "the cached page went too"
    );
    assert_eq!(
        world.index.len_of_chat(ana.id, old),
        0,
        "its search entries went"
    );
    let left = world
        .chats
        .messages(ana.id, old, 100, None)
        .await
        .expect("messages");
    assert!(left.is_empty(), "its messages went");
    let kept = world.chats.find_chat(ana.id, recent).await.expect("find");
    assert!(kept.is_some(), "the recent chat stays");
    assert!(
        world
            .telemetry
            .events()
            .contains(&"chats_expired 1".to_owned())
    );
}

#[tokio::test]
async fn one_replica_sweeps_at_a_time_and_batches_reach_every_chat() {
    let world = World::new();
    let leases = Arc::new(InMemoryLeases::new(world.clock.clone()));
    let ana = world.user("ana", true).await;
    for n in 0..5 {
        new_chat(&world, &ana, &format!("question {n}")).await;
    }
    world.clock.advance(TimeDelta::days(40));

    let other = Uuid::new_v4();
    assert!(
        leases
            .hold("retention-sweep", other, Duration::from_mins(1))
            .await
            .unwrap()
    );
    let waiting = retention(&world, leases.clone(), 2)
        .sweep()
        .await
        .expect("sweep");
    assert_eq!(
        waiting,
        SweepReport {
            swept: false,
            deleted: 0
        },
        "another replica holds it"
    );
    leases.release("retention-sweep", other).await.unwrap();

    let report = retention(&world, leases.clone(), 2)
        .sweep()
        .await
        .expect("sweep");
    assert_eq!(
        report,
        SweepReport {
            swept: true,
            deleted: 5
        },
        "three batches of 2, 2, 1"
    );
    let again = retention(&world, leases, 2).sweep().await.expect("sweep");
    assert_eq!(again.deleted, 0);
}
