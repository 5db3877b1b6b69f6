//! Prompts answered whole: what is stored, in which order, and what the model gets.

use polychat_domain::ports::{ChatRepository, LlmError};
use polychat_domain::services::chat::ChatError;
use polychat_domain::{MessageStatus, Role};

use super::world::{DEFAULT_MODEL, World, ask, chat_of};

#[tokio::test]
async fn the_users_message_is_stored_before_the_model_is_called() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_reply("An answer");

    let turn = world.send(ask(&user, None, "A question")).await.unwrap();

    let seen = world.llm.seen();
    assert_eq!(seen.len(), 1);
    let at_call: Vec<(Role, &str)> = seen[0]
        .iter()
        .map(|m| (m.role, m.content.as_str()))
        .collect();
    assert_eq!(at_call, [(Role::User, "A question")]);
    assert_eq!(turn.message.content, "An answer");
    assert_eq!(turn.message.role, Role::Assistant);
    assert_eq!(turn.message.status, MessageStatus::Complete);
    assert_eq!(chat_of(&turn).owner, user.id);
    let stored = world
        .chats
        .messages(user.id, chat_of(&turn).id, 10, None)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1], turn.message);
    let chat = world
        .chats
        .find_chat(user.id, chat_of(&turn).id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chat.usage_total, chat_of(&turn).usage_total);
    assert_eq!(chat.message_count, 2);
}

#[tokio::test]
async fn a_failed_call_keeps_the_prompt_and_records_an_error_answer() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_error(LlmError::Timeout);

    let error = world.send(ask(&user, None, "Will it time out?")).await;
    assert!(
        matches!(error, Err(ChatError::Upstream(LlmError::Timeout))),
        "{error:?}"
    );

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
    assert_eq!(chats.len(), 1);
    let stored = world
        .chats
        .messages(user.id, chats[0].id, 10, None)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (stored[0].role, stored[0].content.as_str()),
        (Role::User, "Will it time out?")
    );
    assert_eq!(stored[0].status, MessageStatus::Complete);
    assert_eq!(stored[1].role, Role::Assistant);
    assert_eq!(stored[1].status, MessageStatus::Error);

    // The next prompt does not send the failed exchange's empty answer as history.
    world.scripted().push_reply("Fine now");
    world
        .send(ask(&user, Some(chats[0].id), "Again"))
        .await
        .unwrap();
    let sent = &world.scripted().requests()[1].messages;
    let roles: Vec<Role> = sent
        .iter()
        .map(|m| m.role)
        .filter(|r| *r != Role::System)
        .collect();
    assert_eq!(roles, [Role::User, Role::User]);
}

#[tokio::test]
async fn a_continued_chat_sends_its_history_in_order() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world
        .scripted()
        .push_reply("Paris.")
        .push_reply("About two million.");
    let first = world
        .send(ask(&user, None, "Capital of France?"))
        .await
        .unwrap();
    let second = world
        .send(ask(&user, Some(chat_of(&first).id), "Its population?"))
        .await
        .unwrap();
    assert_eq!(chat_of(&second).id, chat_of(&first).id);

    let sent = &world.scripted().requests()[1].messages;
    let contents: Vec<(Role, &str)> = sent
        .iter()
        .filter(|m| m.role != Role::System)
        .map(|m| (m.role, m.content.as_str()))
        .collect();
    assert_eq!(
        contents,
        [
            (Role::User, "Capital of France?"),
            (Role::Assistant, "Paris."),
            (Role::User, "Its population?"),
        ]
    );
    let mut expected = first.message.usage.unwrap();
    expected += second.message.usage.unwrap();
    assert_eq!(chat_of(&second).usage_total, expected);
    assert_eq!(chat_of(&second).message_count, 4);
}

#[tokio::test]
async fn the_model_falls_back_from_request_to_profile_to_server() {
    let world = World::new();
    let user = world.user("ana", true).await;
    for _ in 0..3 {
        world.scripted().push_reply("ok");
    }
    world.send(ask(&user, None, "one")).await.unwrap();
    world.set_default_model(&user, "profile/model").await;
    world.send(ask(&user, None, "two")).await.unwrap();
    let mut request = ask(&user, None, "three");
    request.model = Some("request/model".to_owned());
    let turn = world.send(request).await.unwrap();
    assert_eq!(turn.message.model.unwrap().as_str(), "request/model");

    let models: Vec<String> = world
        .scripted()
        .requests()
        .iter()
        .map(|r| r.model.as_str().to_owned())
        .collect();
    assert_eq!(models, [DEFAULT_MODEL, "profile/model", "request/model"]);
}

#[tokio::test]
async fn refusals_come_before_anything_is_stored_or_called() {
    let world = World::new();
    let keyless = world.user("bea", false).await;
    let result = world.send(ask(&keyless, None, "Hello")).await;
    assert!(matches!(result, Err(ChatError::KeyMissing)), "{result:?}");
    let (chats, _) = world
        .chat
        .list(
            keyless.id,
            None,
            None,
            &polychat_domain::LabelsRequest::default(),
        )
        .await
        .unwrap();
    assert!(chats.is_empty());

    let user = world.user("ana", true).await;
    let empty = world.send(ask(&user, None, "   ")).await;
    assert!(matches!(empty, Err(ChatError::Validation(_))), "{empty:?}");

    world.chats.set_unavailable(true);
    let down = world.send(ask(&user, None, "Store down")).await;
    assert!(matches!(down, Err(ChatError::Service(_))), "{down:?}");
    let streamed = world.stream(ask(&user, None, "Store down")).await;
    assert!(matches!(streamed, Err(ChatError::Service(_))));
    assert_eq!(world.scripted().calls(), 0);
}

#[tokio::test]
async fn every_model_call_is_counted_in_the_usage_ledger_failed_ones_too() {
    let world = World::new();
    let user = world.user("ana", true).await;
    world.scripted().push_reply("One two three");
    world.send(ask(&user, None, "Count me")).await.unwrap();
    world
        .scripted()
        .push_error(LlmError::Upstream("boom".to_owned()));
    let failed = world.send(ask(&user, None, "Fail me")).await;
    assert!(failed.is_err());
    let keyless = world.user("bea", false).await;
    let refused = world.send(ask(&keyless, None, "Never called")).await;
    assert!(refused.is_err());
    world.settle().await;

    let records = world.usage.records();
    assert_eq!(
        records.len(),
        2,
        "two model calls, the refusal made none: {records:?}"
    );
    assert!(records.iter().all(|r| r.user_id == user.id));
    assert!(records.iter().all(|r| r.model.as_str() == DEFAULT_MODEL));
    assert!(records.iter().all(|r| r.route.as_str() == "chat"));
    assert!(records.iter().all(|r| r.fallback_from.is_none()));
    assert_eq!(records.iter().filter(|r| r.succeeded).count(), 1);
    let ok = records.iter().find(|r| r.succeeded).unwrap();
    assert_eq!(ok.usage.completion_tokens, 3, "the model's own count");
}

#[tokio::test]
async fn every_answer_is_bounded_by_the_policys_token_cap() {
    let world = World::new();
    let user = world.user("ana", true).await;
    for _ in 0..3 {
        world.scripted().push_reply("ok");
    }
    for asked in [None, Some(100_000), Some(100)] {
        let mut request = ask(&user, None, "Hello");
        request.options.max_tokens = asked;
        world.send(request).await.unwrap();
    }
    let sent: Vec<Option<u32>> = world
        .scripted()
        .requests()
        .iter()
        .map(|r| r.max_tokens)
        .collect();
    let cap = polychat_domain::services::chat::DEFAULT_MAX_ANSWER_TOKENS;
    assert_eq!(sent, [Some(cap), Some(cap), Some(100)]);
}
