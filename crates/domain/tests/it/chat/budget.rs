//! The budget of generations in flight and the bounded stream between generation and
//! the client (#13 item 8).

use std::time::Duration;

use futures_util::StreamExt as _;
use polychat_domain::MessageStatus;
use polychat_domain::ports::{AnswerLog as _, ChatRepository as _, EventId};
use polychat_domain::services::chat::{ChatError, TurnEvent};

use super::world::{World, ask, drain};

/// Lets every task that can run, run (a count of turns of the runtime, not a wait).
async fn run_ready_tasks() {
    for _ in 0..2_000 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_user_at_the_limit_is_refused_until_an_answer_finishes() {
    let world = World::with_policy(|policy| policy.generations_per_user = Some(2));
    let ana = world.user("ana", true).await;
    let bea = world.user("bea", true).await;
    let first = world.scripted().push_gated();
    let second = world.scripted().push_gated();
    let one = world.stream(ask(&ana, None, "one")).await.unwrap();
    let two = world.stream(ask(&ana, None, "two")).await.unwrap();
    assert_eq!(world.generations.held(ana.id), 2);

    let calls = world.scripted().calls();
    for refused in [
        world.stream(ask(&ana, None, "three")).await.err(),
        world.send(ask(&ana, None, "three, whole")).await.err(),
    ] {
        match refused {
            Some(ChatError::TooManyGenerations { retry_after }) => {
                assert!(retry_after > Duration::ZERO, "{retry_after:?}");
            }
            other => panic!("expected too many generations, got {other:?}"),
        }
    }
    assert_eq!(
        world.scripted().calls(),
        calls,
        "no model call for a refused turn"
    );

    world.scripted().push_reply("other user");
    world
        .send(ask(&bea, None, "another user's budget is apart"))
        .await
        .unwrap();

    first.delta("done");
    first.finish();
    let (_, done, _) = drain(one.events).await;
    assert!(done.is_some());
    run_ready_tasks().await;
    assert_eq!(
        world.generations.held(ana.id),
        1,
        "the finished answer's slot is free"
    );
    world.scripted().push_reply("a freed slot");
    let turn = world.send(ask(&ana, None, "three")).await.unwrap();
    assert_eq!(turn.message.content, "a freed slot");
    second.finish();
    drain(two.events).await;
    world.settle().await;
    assert_eq!(world.generations.held(ana.id), 0, "every slot given back");
}

#[tokio::test]
async fn a_whole_answer_holds_a_slot_while_it_is_written() {
    let world = World::with_policy(|policy| policy.generations_per_user = Some(1));
    let ana = world.user("ana", true).await;
    let gate = world.scripted().push_gated();
    let chat = world.chat.clone();
    let whole = tokio::spawn({
        let request = ask(&ana, None, "a long one");
        async move { chat.answer(request).await.map(|_| ()) }
    });
    super::world::wait_for_calls(&world, 1).await;
    assert!(matches!(
        world.stream(ask(&ana, None, "meanwhile")).await.err(),
        Some(ChatError::TooManyGenerations { .. })
    ));
    gate.delta("ok");
    gate.finish();
    whole.await.unwrap().unwrap();
    assert_eq!(world.generations.held(ana.id), 0);
}

#[tokio::test]
async fn a_slow_reader_makes_generation_wait_instead_of_piling_events_up() {
    const BUFFER: usize = 4;
    const DELTAS: usize = 500;
    let world = World::with_policy(|policy| policy.stream_buffer = BUFFER);
    let ana = world.user("ana", true).await;
    let deltas: Vec<String> = (0..DELTAS).map(|i| format!("{i} ")).collect();
    let deltas: Vec<&str> = deltas.iter().map(String::as_str).collect();
    world.scripted().push_stream(&deltas);

    let started = world.stream(ask(&ana, None, "count")).await.unwrap();
    let message = started.message_id;
    let mut events = started.events;
    run_ready_tasks().await;
    // Every event generation produced went to the log first: what is there is what
    // generation got to while nobody read.
    let produced = world
        .answers
        .read_after(message, EventId::START)
        .await
        .unwrap()
        .len();
    assert!(
        produced <= BUFFER + 2,
        "generation ran {produced} events ahead of a reader that took none (buffer {BUFFER})"
    );

    let mut received = 0;
    let mut done = false;
    while let Some(event) = events.next().await {
        match event {
            TurnEvent::Delta(_) => received += 1,
            TurnEvent::Done(_) => done = true,
            other => panic!("unexpected {other:?}"),
        }
        if received % 50 == 0 {
            run_ready_tasks().await;
        }
    }
    assert_eq!(received, DELTAS, "nothing lost by waiting");
    assert!(done);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_left_behind_and_the_answer_is_stored() {
    let world = World::with_policy(|policy| {
        policy.stream_buffer = 2;
        policy.stream_stall = Duration::from_millis(20);
    });
    let ana = world.user("ana", true).await;
    let deltas: Vec<String> = (0..100).map(|i| format!("{i} ")).collect();
    let deltas: Vec<&str> = deltas.iter().map(String::as_str).collect();
    world.scripted().push_stream(&deltas);

    let started = world.stream(ask(&ana, None, "count")).await.unwrap();
    let (chat, message) = (started.chat_id.expect("stored"), started.message_id);
    let _still_connected = started.events;
    world.settle().await;
    let messages = world.chats.messages(ana.id, chat, 10, None).await.unwrap();
    let answer = messages.iter().find(|m| m.id == message).expect("answer");
    assert_eq!(answer.status, MessageStatus::Complete);
    assert_eq!(answer.content, deltas.concat());
    assert_eq!(world.generations.held(ana.id), 0);
}
