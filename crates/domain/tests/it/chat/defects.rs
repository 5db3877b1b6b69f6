//! Defects of the former turn design, each pinned by a test that the old code fails:
//! claims that outlived their request, stale cached pages, deleted chats brought back,
//! billed answers lost, and errors reported as the wrong kind.

use std::time::Duration;

use chrono::TimeDelta;
use futures_util::StreamExt;
use polychat_domain::ports::{ChatRepository, LlmError};
use polychat_domain::services::chat::{
    CacheStatus, ChatError, ChatPage, ChatPageRequest, ChatPolicy, TurnEvent, TurnOutput,
};
use polychat_domain::{ChatId, Message, MessageStatus, Role, UserId};

use super::world::{World, ask, chat_of, keyed, wait_for_calls};

async fn stored(world: &World, owner: UserId, chat: ChatId) -> Vec<Message> {
    world
        .chats
        .messages(owner, chat, 10, None)
        .await
        .expect("messages")
}

fn render(page: &ChatPage) -> Vec<u8> {
    let mut text = String::new();
    for message in &page.messages {
        text.push_str(&message.content);
        text.push('|');
    }
    text.into_bytes()
}

async fn read(world: &World, owner: UserId, chat: ChatId) -> (String, CacheStatus) {
    let request = ChatPageRequest {
        chat_id: chat,
        limit: None,
        before: None,
    };
    let (body, status) = world.chat.page(owner, request, render).await.expect("page");
    (String::from_utf8(body).expect("utf-8"), status)
}

/// Store retries without the production pauses, so the tests stay fast.
fn quick_store_retries(policy: &mut ChatPolicy) {
    policy.store_retries = [Duration::from_millis(1); 3];
}

// a. An idempotency claim is a short lease.

#[tokio::test]
async fn a_claim_left_behind_frees_its_key_when_its_lease_ends() {
    let world = World::new();
    let user = world.user("ana", true).await;
    let lease =
        ChatPolicy::new(polychat_domain::ModelName::parse("a/b").unwrap()).idempotency_lease;
    world.scripted().push_error(LlmError::Timeout);
    // The request fails and cannot give its key back: the claim is left behind.
    world.idempotency.fail_next_settles(1);
    let failed = world.send(keyed(ask(&user, None, "Lost"), "k")).await;
    assert!(
        matches!(failed, Err(ChatError::Upstream(LlmError::Timeout))),
        "{failed:?}"
    );
    let blocked = world
        .chat
        .answer(keyed(ask(&user, None, "Lost"), "k"))
        .await;
    assert!(
        matches!(blocked, Err(ChatError::IdempotencyInProgress)),
        "the claim stands until its lease ends"
    );

    // Once the lease is over (long before the key's retention), a retry runs.
    world
        .clock
        .advance(TimeDelta::from_std(lease).unwrap() + TimeDelta::seconds(1));
    world.scripted().push_reply("Found");
    let retried = world.send(keyed(ask(&user, None, "Lost"), "k")).await;
    assert_eq!(retried.expect("the retry runs").message.content, "Found");
    assert_eq!(world.scripted().calls(), 2);
}

#[tokio::test]
async fn a_turn_longer_than_the_lease_keeps_its_claim() {
    let world = World::with_policy(|policy| {
        policy.idempotency_lease = Duration::from_millis(300);
    });
    let user = world.user("ana", true).await;
    let gate = world.scripted().push_gated();
    let chat = world.chat.clone();
    let request = keyed(ask(&user, None, "Take your time"), "k");
    let first = tokio::spawn(async move { chat.answer(request).await });
    wait_for_calls(&world, 1).await;

    // Over three leases pass while the model is still writing.
    for _ in 0..10 {
        world.clock.advance(TimeDelta::milliseconds(100));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let retry = world
        .chat
        .answer(keyed(ask(&user, None, "Take your time"), "k"))
        .await;
    assert!(
        matches!(retry, Err(ChatError::IdempotencyInProgress)),
        "the running turn still holds its key"
    );
    assert_eq!(world.scripted().calls(), 1, "no second model call");

    gate.delta("Slow answer");
    gate.finish();
    let Ok(TurnOutput::Whole(turn)) = first.await.expect("the first turn") else {
        panic!("the first turn was not answered");
    };
    let replay = world
        .chat
        .answer(keyed(ask(&user, None, "Take your time"), "k"))
        .await;
    let Ok(TurnOutput::Replay(replayed)) = replay else {
        panic!("the finished turn is not replayed");
    };
    assert_eq!(replayed, turn);
    assert_eq!(world.scripted().calls(), 1);
}

// b. A failed cache invalidation does not leave a page served as current.

#[tokio::test]
async fn a_failed_invalidation_does_not_leave_a_stale_page() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_reply("first").push_reply("second");
    let turn = world.send(ask(&user, None, "Hello")).await.unwrap();
    let chat = chat_of(&turn).id;
    assert_eq!(read(&world, user.id, chat).await.1, CacheStatus::Miss);
    assert_eq!(read(&world, user.id, chat).await.1, CacheStatus::Hit);

    // The invalidation after the prompt and its first retry are lost.
    world.cache.fail_next_invalidations(2);
    world.send(ask(&user, Some(chat), "More")).await.unwrap();

    let (page, status) = read(&world, user.id, chat).await;
    assert_eq!(status, CacheStatus::Miss, "the old page is not served");
    assert_eq!(page, "Hello|first|More|second|");
}

// c. Delete wins.

#[tokio::test]
async fn a_stream_in_flight_does_not_bring_a_deleted_chat_back() {
    let world = World::new();
    let user = world.user("ana", true).await;
    let gate = world.scripted().push_gated();
    let started = world.stream(ask(&user, None, "Doomed")).await.unwrap();
    let chat = started.chat_id.expect("stored");
    let mut events = started.events;
    gate.delta("Half ");
    assert!(matches!(events.next().await, Some(TurnEvent::Delta(text)) if text == "Half "));

    world.chat.delete(user.id, chat).await.unwrap();
    gate.delta("an answer");
    gate.finish();
    let rest: Vec<TurnEvent> = events.collect().await;
    assert!(
        matches!(rest.last(), Some(TurnEvent::Failed(ChatError::NotFound))),
        "{rest:?}"
    );
    world.settle().await;

    assert_eq!(world.index.len_of_chat(user.id, chat), 0);
    assert!(
        world
            .chats
            .find_chat(user.id, chat)
            .await
            .unwrap()
            .is_none()
    );
    assert!(stored(&world, user.id, chat).await.is_empty());
}

#[tokio::test]
async fn indexing_after_a_delete_does_not_bring_search_entries_back() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.hold_indexing(true);
    world.scripted().push_reply("Indexed late");
    let turn = world.send(ask(&user, None, "Race me")).await.unwrap();
    let chat = chat_of(&turn).id;

    // The chat goes while its messages wait to be indexed.
    world.chat.delete(user.id, chat).await.unwrap();
    world.hold_indexing(false);
    world.settle().await;

    assert_eq!(world.index.len_of_chat(user.id, chat), 0);
}

#[tokio::test]
async fn a_stored_result_is_not_replayed_after_its_chat_was_deleted() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_reply("Kept");
    let turn = world
        .send(keyed(ask(&user, None, "Replay me"), "k"))
        .await
        .unwrap();
    world.chat.delete(user.id, chat_of(&turn).id).await.unwrap();

    let retry = world
        .chat
        .answer(keyed(ask(&user, None, "Replay me"), "k"))
        .await;
    assert!(matches!(retry, Err(ChatError::NotFound)), "deletion wins");
    assert_eq!(world.scripted().calls(), 1);
}

// d. A billed answer is not thrown away when storing it fails.

/// Starts a whole turn whose model answers `answer` once the next `failures` message
/// writes are set to fail: the prompt is stored, the answer's store fails.
async fn answer_failing_to_store(
    world: &World,
    request: polychat_domain::services::chat::TurnRequest,
    answer: &str,
    failures: u32,
) -> Result<TurnOutput, ChatError> {
    let gate = world.scripted().push_gated();
    let chat = world.chat.clone();
    let turn = tokio::spawn(async move { chat.answer(request).await });
    wait_for_calls(world, 1).await;
    world.chats.fail_next_message_writes(failures);
    gate.delta(answer);
    gate.finish();
    turn.await.expect("the turn")
}

#[tokio::test]
async fn an_answer_that_could_not_be_stored_is_replayed_without_a_second_call() {
    let world = World::with_policy(quick_store_retries);
    let user = world.user("ana", true).await;
    let request = keyed(ask(&user, None, "Pay once"), "k");
    // Every try of storing the answer fails (the first one and three retries).
    let failed = answer_failing_to_store(&world, request, "Billed answer", 4).await;
    assert!(matches!(failed, Err(ChatError::Service(_))), "not failed");

    let retry = world
        .chat
        .answer(keyed(ask(&user, None, "Pay once"), "k"))
        .await;
    let Ok(TurnOutput::Replay(turn)) = retry else {
        panic!("the answer is not replayed");
    };
    assert_eq!(turn.message.content, "Billed answer");
    assert_eq!(turn.message.status, MessageStatus::Complete);
    assert_eq!(world.scripted().calls(), 1, "no second model call");
}

#[tokio::test]
async fn a_streamed_answer_that_could_not_be_stored_is_replayed_without_a_second_call() {
    let world = World::with_policy(quick_store_retries);
    let user = world.user("ana", true).await;
    let gate = world.scripted().push_gated();
    let started = world
        .stream(keyed(ask(&user, None, "Pay once"), "k"))
        .await
        .unwrap();
    world.chats.fail_next_message_writes(4);
    gate.delta("Billed ").delta("stream");
    gate.finish();
    let events: Vec<TurnEvent> = started.events.collect().await;
    assert!(
        matches!(
            events.last(),
            Some(TurnEvent::Failed(ChatError::Service(_)))
        ),
        "{events:?}"
    );

    let retry = world
        .chat
        .answer(keyed(ask(&user, None, "Pay once"), "k"))
        .await;
    let Ok(TurnOutput::Replay(turn)) = retry else {
        panic!("the answer is not replayed");
    };
    assert_eq!(turn.message.content, "Billed stream");
    assert_eq!(world.scripted().calls(), 1, "no second model call");
}

#[tokio::test]
async fn storing_the_answer_is_tried_again() {
    let world = World::with_policy(quick_store_retries);
    let user = world.user("ana", true).await;
    let request = ask(&user, None, "One hiccup");
    let Ok(TurnOutput::Whole(turn)) =
        answer_failing_to_store(&world, request, "Stored anyway", 1).await
    else {
        panic!("the retry did not store the answer");
    };

    let messages = stored(&world, user.id, chat_of(&turn).id).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1], turn.message);
    assert_eq!(messages[1].content, "Stored anyway");
}

// e. Errors of the right kind.

#[tokio::test]
async fn a_user_deleted_before_the_turn_is_unauthorized() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.users.remove(user.id).expect("the user existed");

    let whole = world.send(ask(&user, None, "Who am I?")).await;
    assert!(
        matches!(whole, Err(ChatError::Unauthorized(_))),
        "{whole:?}"
    );
    let streamed = world.stream(ask(&user, None, "Who am I?")).await;
    assert!(matches!(streamed, Err(ChatError::Unauthorized(_))));
    assert_eq!(world.scripted().calls(), 0);
    let (chats, _) = world
        .chat
        .list(
            user.id,
            None,
            None,
            &polychat_domain::LabelsRequest::default(),
        )
        .await
        .unwrap();
    assert!(chats.is_empty());
}

#[tokio::test]
async fn a_stream_running_at_shutdown_is_kept_incomplete_and_says_why() {
    let world = World::new();
    let user = world.user("ana", true).await;
    let gate = world.scripted().push_gated();
    let started = world
        .stream(ask(&user, None, "A long story"))
        .await
        .unwrap();
    let (chat, id) = (started.chat_id.expect("stored"), started.message_id);
    let mut events = started.events;
    gate.delta("Once upon ").delta("a time");
    for expected in ["Once upon ", "a time"] {
        assert!(matches!(events.next().await, Some(TurnEvent::Delta(text)) if text == expected));
    }

    world.shut_down();
    let rest: Vec<TurnEvent> = events.collect().await;
    assert!(
        matches!(rest.last(), Some(TurnEvent::Failed(ChatError::Interrupted))),
        "{rest:?}"
    );
    world.settle().await;

    let messages = stored(&world, user.id, chat).await;
    assert_eq!(messages.len(), 2);
    let answer = &messages[1];
    assert_eq!((answer.id, answer.role), (id, Role::Assistant));
    assert_eq!(answer.status, MessageStatus::Incomplete);
    assert_eq!(answer.content, "Once upon a time");
    assert_eq!(
        answer.error.as_ref().map(|e| e.code.as_str()),
        Some("server_shutdown")
    );
    drop(gate);
}

#[tokio::test]
async fn a_whole_answer_running_at_shutdown_is_interrupted_and_says_why() {
    let world = World::new();
    let user = world.user("ana", true).await;
    let gate = world.scripted().push_gated();
    let chat = world.chat.clone();
    let request = ask(&user, None, "Never finished");
    let turn = tokio::spawn(async move { chat.answer(request).await });
    wait_for_calls(&world, 1).await;

    world.shut_down();
    let result = turn.await.expect("the turn");
    assert!(matches!(result, Err(ChatError::Interrupted)));
    world.settle().await;

    let (chats, _) = world
        .chat
        .list(
            user.id,
            None,
            None,
            &polychat_domain::LabelsRequest::default(),
        )
        .await
        .unwrap();
    let messages = stored(&world, user.id, chats[0].id).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1].status, MessageStatus::Error);
    assert_eq!(
        messages[1].error.as_ref().map(|e| e.code.as_str()),
        Some("server_shutdown")
    );
    drop(gate);
}
