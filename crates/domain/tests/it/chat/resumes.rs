//! Resuming a streamed answer: the events after the client's last one, from the log
//! while it has them, else from the stored answer once it is final; numbered alike.

use futures_util::StreamExt as _;
use polychat_domain::ports::{AnswerLog, ChatRepository, EventId};
use polychat_domain::services::chat::{AnswerEvent, ChatError, Resumed};
use polychat_domain::{ChatId, MessageId, UserId};
use polychat_testkit::llm::Script;

use super::world::{World, ask, drain};

async fn resumed(
    world: &World,
    owner: UserId,
    at: (ChatId, MessageId),
    after: Option<EventId>,
) -> Vec<Resumed> {
    let events = world.chat.resume(owner, at.0, at.1, after).await;
    events.expect("resume").collect().await
}

fn id(seq: u64, offset: u64) -> EventId {
    EventId { seq, offset }
}

fn delta(text: &str) -> AnswerEvent {
    AnswerEvent::Delta {
        content: text.to_owned(),
    }
}

#[tokio::test]
async fn the_log_gives_the_events_after_the_last_one_seen() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_stream(&["Hel", "lo ", "there"]);
    let started = world.stream(ask(&user, None, "Greet me")).await.unwrap();
    let at = (started.chat_id.expect("stored"), started.message_id);
    drain(started.events).await;
    world.settle().await;
    assert_eq!(
        world
            .answers
            .read_after(at.1, EventId::START)
            .await
            .unwrap()
            .len(),
        4,
        "three deltas and done were logged"
    );

    let rest = resumed(&world, user.id, at, Some(id(1, 3))).await;
    let ids: Vec<EventId> = rest.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![id(2, 6), id(3, 11), id(4, 11)]);
    assert_eq!(rest[0].event, delta("lo "));
    assert_eq!(rest[1].event, delta("there"));
    let AnswerEvent::Done { turn } = &rest[2].event else {
        panic!("{:?}", rest[2]);
    };
    assert_eq!(turn.message.content, "Hello there");
    let all = resumed(&world, user.id, at, None).await;
    assert_eq!(all.len(), 4, "from the start without an id");
}

#[tokio::test]
async fn without_a_log_the_stored_answer_gives_the_rest_by_offset() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.answers.set_unavailable(true);
    world.scripted().push_stream(&["Hel", "lo ", "there"]);
    let started = world.stream(ask(&user, None, "Greet me")).await.unwrap();
    let at = (started.chat_id.expect("stored"), started.message_id);
    let (text, _, _) = drain(started.events).await;
    assert_eq!(text, "Hello there", "the live stream does not need the log");
    world.settle().await;

    let rest = resumed(&world, user.id, at, Some(id(1, 3))).await;
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert_eq!(
        (rest[0].id, &rest[0].event),
        (id(2, 11), &delta("lo there"))
    );
    assert!(
        matches!(&rest[1].event, AnswerEvent::Done { turn } if turn.message.content == "Hello there")
    );
    assert_eq!(rest[1].id, id(3, 11));
}

#[tokio::test]
async fn a_failed_answer_resumes_to_its_error() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push(Script::Stream(vec![
        Ok(polychat_domain::ports::StreamEvent::Delta(
            "Half".to_owned(),
        )),
        Err(polychat_domain::ports::LlmError::Timeout),
    ]));
    let started = world.stream(ask(&user, None, "Go")).await.unwrap();
    let at = (started.chat_id.expect("stored"), started.message_id);
    drain(started.events).await;
    world.settle().await;
    for log_down in [false, true] {
        world.answers.set_unavailable(log_down);
        let rest = resumed(&world, user.id, at, None).await;
        assert_eq!(rest[0].event, delta("Half"), "log down: {log_down}");
        let AnswerEvent::Failed { error } = &rest[1].event else {
            panic!("{rest:?}");
        };
        assert_eq!(error.code, "upstream_timeout");
        assert_eq!(rest.len(), 2);
    }
}

#[tokio::test]
async fn only_an_answer_of_the_owners_chat_resumes() {
    let world = World::new();
    let user = world.user("ana", true).await;
    let eve = world.user("eve", true).await;
    world.scripted().push_stream(&["Oi"]);
    let started = world.stream(ask(&user, None, "Go")).await.unwrap();
    let chat = started.chat_id.expect("stored");
    let answer = started.message_id;
    drain(started.events).await;
    world.settle().await;
    let prompt = world.chats.messages(user.id, chat, 10, None).await.unwrap()[0].id;
    for (owner, message) in [
        (eve.id, answer),
        (user.id, prompt),
        (user.id, MessageId::generate()),
    ] {
        let refused = world.chat.resume(owner, chat, message, None).await;
        assert!(
            matches!(refused, Err(ChatError::NotFound)),
            "{owner} {message}"
        );
    }
}
