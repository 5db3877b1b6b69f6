//! Idempotency keys and the per-user rate limit on prompts.

use chrono::TimeDelta;
use polychat_domain::services::chat::{ChatError, IdempotencyOutcome};

use super::world::{World, ask};

#[tokio::test]
async fn an_idempotency_key_replays_its_result_and_refuses_another_request() {
    let world = World::new();
    let user = world.user("ana", true).await;

    let first = world
        .chat
        .idempotency_begin(user.id, "k1", "fp-a")
        .await
        .unwrap();
    assert_eq!(first, IdempotencyOutcome::Proceed);
    let running = world.chat.idempotency_begin(user.id, "k1", "fp-a").await;
    assert!(
        matches!(running, Err(ChatError::IdempotencyInProgress)),
        "{running:?}"
    );
    world
        .chat
        .idempotency_complete(user.id, "k1", "fp-a", b"the turn")
        .await;

    let replay = world
        .chat
        .idempotency_begin(user.id, "k1", "fp-a")
        .await
        .unwrap();
    assert_eq!(replay, IdempotencyOutcome::Replay(b"the turn".to_vec()));
    let reused = world.chat.idempotency_begin(user.id, "k1", "fp-b").await;
    assert!(
        matches!(reused, Err(ChatError::IdempotencyKeyReused)),
        "{reused:?}"
    );

    // Keys are per user.
    let eve = world.user("eve", true).await;
    let theirs = world
        .chat
        .idempotency_begin(eve.id, "k1", "fp-b")
        .await
        .unwrap();
    assert_eq!(theirs, IdempotencyOutcome::Proceed);

    // A released key (the request failed) runs again.
    world
        .chat
        .idempotency_begin(user.id, "k2", "fp")
        .await
        .unwrap();
    world.chat.idempotency_release(user.id, "k2").await;
    let again = world
        .chat
        .idempotency_begin(user.id, "k2", "fp")
        .await
        .unwrap();
    assert_eq!(again, IdempotencyOutcome::Proceed);

    for bad in ["", "with space", &"x".repeat(256)] {
        let invalid = world.chat.idempotency_begin(user.id, bad, "fp").await;
        assert!(matches!(invalid, Err(ChatError::Validation(_))), "{bad:?}");
    }

    // With the store down requests still run (without the guarantee).
    world.idempotency.set_unavailable(true);
    let down = world
        .chat
        .idempotency_begin(user.id, "k1", "fp-b")
        .await
        .unwrap();
    assert_eq!(down, IdempotencyOutcome::Proceed);
}

#[tokio::test]
async fn prompts_are_rate_limited_per_user() {
    let world = World::new();
    let ana = world.user("ana", true).await;
    for _ in 0..62 {
        world.scripted().push_reply("ok");
    }
    for i in 0..60 {
        let turn = world.chat.send(ask(&ana, None, "again")).await;
        assert!(turn.is_ok(), "#{i}: {turn:?}");
    }
    let limited = world.chat.send(ask(&ana, None, "one too many")).await;
    let Err(ChatError::RateLimited { retry_after }) = limited else {
        panic!("not limited: {limited:?}");
    };
    assert!(retry_after.as_secs_f64() > 0.0 && retry_after.as_secs() <= 60);
    let streamed = world.chat.stream(ask(&ana, None, "stream too")).await;
    assert!(matches!(streamed, Err(ChatError::RateLimited { .. })));
    assert_eq!(world.scripted().calls(), 60);
    // Nothing was stored for the refused prompts.
    let (chats, _) = world.chat.list(ana.id, Some(200), None).await.unwrap();
    assert_eq!(chats.len(), 60);

    let eve = world.user("eve", true).await;
    assert!(world.chat.send(ask(&eve, None, "mine")).await.is_ok());

    world.clock.advance(TimeDelta::seconds(2));
    assert!(world.chat.send(ask(&ana, None, "later")).await.is_ok());

    // A limiter that is down does not block prompts.
    world.limiter.set_unavailable(true);
    world.scripted().push_reply("ok");
    assert!(
        world
            .chat
            .send(ask(&ana, None, "limiter down"))
            .await
            .is_ok()
    );
}
