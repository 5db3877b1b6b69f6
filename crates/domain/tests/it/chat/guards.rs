//! Idempotency keys and the per-user rate limit on prompts.

use chrono::TimeDelta;
use polychat_domain::services::chat::{ChatError, TurnOutput};

use super::world::{World, ask, keyed, wait_for_calls};

#[tokio::test]
async fn an_idempotency_key_replays_its_result_and_refuses_another_request() {
    let world = World::new();
    let user = world.user("ana", true).await;

    let gate = world.scripted().push_gated();
    let chat = world.chat.clone();
    let request = keyed(ask(&user, None, "Once"), "k1");
    let first = tokio::spawn(async move { chat.answer(request).await });
    wait_for_calls(&world, 1).await;
    let running = world
        .chat
        .answer(keyed(ask(&user, None, "Once"), "k1"))
        .await;
    assert!(
        matches!(running, Err(ChatError::IdempotencyInProgress)),
        "running"
    );
    gate.delta("the turn");
    gate.finish();
    let Ok(TurnOutput::Whole(turn)) = first.await.expect("the first request") else {
        panic!("the first request was not answered whole");
    };

    let replay = world
        .chat
        .answer(keyed(ask(&user, None, "Once"), "k1"))
        .await;
    let Ok(TurnOutput::Replay(replayed)) = replay else {
        panic!("not replayed");
    };
    assert_eq!(replayed, turn);
    let reused = world
        .chat
        .answer(keyed(ask(&user, None, "Another"), "k1"))
        .await;
    assert!(
        matches!(reused, Err(ChatError::IdempotencyKeyReused)),
        "reused"
    );
    assert_eq!(world.scripted().calls(), 1);

    // Keys are per user.
    let eve = world.user("eve", true).await;
    world.scripted().push_reply("theirs");
    let theirs = world
        .chat
        .answer(keyed(ask(&eve, None, "Another"), "k1"))
        .await;
    assert!(matches!(theirs, Ok(TurnOutput::Whole(_))), "eve's key");

    // A released key (the request failed) runs again.
    world
        .scripted()
        .push_error(polychat_domain::ports::LlmError::Timeout);
    let failed = world.send(keyed(ask(&user, None, "Retry me"), "k2")).await;
    assert!(matches!(failed, Err(ChatError::Upstream(_))), "{failed:?}");
    world.scripted().push_reply("second try");
    let again = world.send(keyed(ask(&user, None, "Retry me"), "k2")).await;
    assert_eq!(again.expect("runs again").message.content, "second try");

    for bad in ["", "with space", &"x".repeat(256)] {
        let invalid = world
            .chat
            .answer(keyed(ask(&user, None, "Once"), bad))
            .await;
        assert!(matches!(invalid, Err(ChatError::Validation(_))), "{bad:?}");
    }

    // With the store down requests still run (without the guarantee).
    world.idempotency.set_unavailable(true);
    world.scripted().push_reply("unguarded");
    let down = world.send(keyed(ask(&user, None, "Another"), "k1")).await;
    assert_eq!(down.expect("runs").message.content, "unguarded");
}

#[tokio::test]
async fn prompts_are_rate_limited_per_user() {
    let world = World::new();
    let ana = world.user("ana", true).await;
    for _ in 0..62 {
        world.scripted().push_reply("ok");
    }
    for i in 0..60 {
        let turn = world.send(ask(&ana, None, "again")).await;
        assert!(turn.is_ok(), "#{i}: {turn:?}");
    }
    let limited = world.send(ask(&ana, None, "one too many")).await;
    let Err(ChatError::RateLimited { retry_after }) = limited else {
        panic!("not limited: {limited:?}");
    };
    assert!(retry_after.as_secs_f64() > 0.0 && retry_after.as_secs() <= 60);
    let streamed = world.stream(ask(&ana, None, "stream too")).await;
    assert!(matches!(streamed, Err(ChatError::RateLimited { .. })));
    assert_eq!(world.scripted().calls(), 60);
    // Nothing was stored for the refused prompts.
    let (chats, _) = world
        .chat
        .list(
            ana.id,
            Some(200),
            None,
            &polychat_domain::LabelsRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(chats.len(), 60);

    let eve = world.user("eve", true).await;
    assert!(world.send(ask(&eve, None, "mine")).await.is_ok());

    world.clock.advance(TimeDelta::seconds(2));
    assert!(world.send(ask(&ana, None, "later")).await.is_ok());

    // A limiter that is down does not block prompts.
    world.limiter.set_unavailable(true);
    world.scripted().push_reply("ok");
    assert!(world.send(ask(&ana, None, "limiter down")).await.is_ok());
}
