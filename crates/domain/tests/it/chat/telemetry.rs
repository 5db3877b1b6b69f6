//! What turns tell the metrics: each model call with its provider and outcome, its
//! tokens, a stream's first token, history-cache lookups and rate-limit refusals.

use polychat_domain::services::chat::ChatPageRequest;

use super::world::{World, ask, chat_of, drain, streamed};

#[tokio::test]
async fn turns_report_calls_tokens_first_tokens_cache_lookups_and_refusals() {
    let world = World::with_policy(|policy| policy.rate.burst = 2);
    let ana = world.user("ana", true).await;
    world.scripted().push_reply("whole answer");
    let turn = world.send(ask(&ana, None, "first")).await.expect("turn");
    let chat = chat_of(&turn).id;
    let events = world.telemetry.events();
    assert!(
        events.contains(&"model_call openrouter ok".to_owned()),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| e.starts_with("tokens openrouter ")),
        "{events:?}"
    );
    assert!(
        !events.iter().any(|e| e.starts_with("first_token")),
        "{events:?}"
    );

    world.scripted().push_reply("streamed answer");
    let stream = world
        .stream(streamed(ask(&ana, Some(chat), "second")))
        .await
        .expect("stream");
    let (text, _, _) = drain(stream.events).await;
    assert_eq!(text, "streamed answer");
    assert!(
        world
            .telemetry
            .events()
            .contains(&"first_token openrouter".to_owned())
    );

    let page = || ChatPageRequest {
        chat_id: chat,
        limit: None,
        before: None,
    };
    let render = |_: &polychat_domain::services::chat::ChatPage| Vec::new();
    world.chat.page(ana.id, page(), render).await.expect("page");
    world.chat.page(ana.id, page(), render).await.expect("page");
    let events = world.telemetry.events();
    let lookups: Vec<_> = events
        .iter()
        .filter(|e| e.starts_with("history_cache"))
        .collect();
    assert_eq!(
        lookups,
        ["history_cache miss", "history_cache hit"],
        "{events:?}"
    );

    let refused = world.send(ask(&ana, Some(chat), "third")).await;
    assert!(refused.is_err());
    assert!(
        world
            .telemetry
            .events()
            .contains(&"rate_limited chat".to_owned())
    );
}
