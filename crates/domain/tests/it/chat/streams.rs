//! Streamed answers: the whole answer is stored complete, incomplete or error, even
//! when nobody listens any more.

use std::time::Duration;

use polychat_domain::ports::{ChatRepository, LlmError, StreamEvent};
use polychat_domain::services::chat::ChatError;
use polychat_domain::{Message, MessageStatus, Role, Usage};
use polychat_testkit::llm::Script;

use super::world::{World, ask, chat_of, drain};

async fn stored(
    world: &World,
    owner: polychat_domain::UserId,
    chat: polychat_domain::ChatId,
) -> Vec<Message> {
    world
        .chats
        .messages(owner, chat, 10, None)
        .await
        .expect("messages")
}

#[tokio::test]
async fn a_stream_delivers_deltas_then_the_turn_and_stores_it_complete() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_stream(&["Hel", "lo ", "there"]);

    let started = world.stream(ask(&user, None, "Greet me")).await.unwrap();
    let (chat, id) = (started.chat_id.expect("stored"), started.message_id);
    let (text, done, failed) = drain(started.events).await;
    assert!(failed.is_none(), "{failed:?}");
    assert_eq!(text, "Hello there");
    let turn = done.expect("done");
    assert_eq!(turn.message.id, id);
    assert_eq!(chat_of(&turn).id, chat);
    assert_eq!(turn.message.content, "Hello there");
    assert_eq!(turn.message.status, MessageStatus::Complete);
    assert_eq!(chat_of(&turn).usage_total, turn.message.usage.unwrap());

    let messages = stored(&world, user.id, chat).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].role, Role::User);
    assert_eq!(messages[1].id, id);
    assert_eq!(messages[1].content, "Hello there");
    assert_eq!(messages[1].status, MessageStatus::Complete);
    let header = world.chats.find_chat(user.id, chat).await.unwrap().unwrap();
    assert_eq!(header.usage_total, chat_of(&turn).usage_total);
}

#[tokio::test]
async fn a_stream_cut_midway_is_stored_incomplete_and_reported() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push(Script::Stream(vec![
        Ok(StreamEvent::Delta("Half an ".to_owned())),
        Ok(StreamEvent::Delta("answer".to_owned())),
        Err(LlmError::Upstream("cut".to_owned())),
    ]));

    let started = world.stream(ask(&user, None, "Go")).await.unwrap();
    let chat = started.chat_id.expect("stored");
    let (text, done, failed) = drain(started.events).await;
    assert_eq!(text, "Half an answer");
    assert!(done.is_none());
    assert!(
        matches!(failed, Some(ChatError::Upstream(LlmError::Upstream(_)))),
        "{failed:?}"
    );
    let messages = stored(&world, user.id, chat).await;
    assert_eq!(messages[1].content, "Half an answer");
    assert_eq!(messages[1].status, MessageStatus::Incomplete);
}

#[tokio::test]
async fn a_stream_that_fails_at_once_is_stored_as_error() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_error(LlmError::InsufficientCredits);

    let started = world.stream(ask(&user, None, "Broke")).await.unwrap();
    let chat = started.chat_id.expect("stored");
    let (text, done, failed) = drain(started.events).await;
    assert!(text.is_empty() && done.is_none());
    assert!(matches!(
        failed,
        Some(ChatError::Upstream(LlmError::InsufficientCredits))
    ));
    let messages = stored(&world, user.id, chat).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].content, "Broke");
    assert_eq!(messages[1].status, MessageStatus::Error);
}

#[tokio::test]
async fn a_listener_that_leaves_does_not_stop_the_answer_being_stored() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_stream(&["one ", "two ", "three"]);

    let started = world.stream(ask(&user, None, "Count")).await.unwrap();
    let chat = started.chat_id.expect("stored");
    drop(started.events);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let messages = stored(&world, user.id, chat).await;
        if messages[1].status == MessageStatus::Complete {
            assert_eq!(messages[1].content, "one two three");
            assert_eq!(messages[1].usage, Some(Usage::reported(0, 3)));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never stored");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
