//! Who may use a model, the fallback whole or streamed, and the circuit.

use futures_util::StreamExt as _;
use polychat_domain::ports::{LlmError, ModelRouter, StreamEvent};
use polychat_domain::{AccountRole, ModelName};

use super::world::*;

#[tokio::test]
async fn who_may_use_a_model() {
    let world = World::new();
    world
        .create("finance", |d| {
            d.allowed_usernames = Some(vec!["Ana".to_owned()]);
        })
        .await
        .unwrap();
    world
        .create("retired", |d| d.is_active = Some(false))
        .await
        .unwrap();
    let ana = caller("ana", AccountRole::User, false);
    let bruno = caller("bruno", AccountRole::User, false);
    let boss = caller("boss", AccountRole::Admin, false);
    assert!(
        route(&world, "finance", &ana).await.is_some(),
        "named, case-insensitively"
    );
    assert!(
        route(&world, "finance", &boss).await.is_some(),
        "admins use every model"
    );
    assert!(route(&world, "finance", &bruno).await.is_none());
    assert!(
        route(&world, "retired", &boss).await.is_none(),
        "inactive: nobody"
    );
    assert!(route(&world, "no-such", &ana).await.is_none());
    let listed = world.router.custom_models(&bruno).await.unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    let listed = world.router.custom_models(&ana).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id.as_str(), listed[0].owned_by.as_str()),
        ("finance", "polychat")
    );

    // The gateway needs the user's key.
    let model = ModelName::parse("openai/gpt-4o-mini").unwrap();
    let keyless = world.router.route(&model, &ana).await;
    assert!(matches!(keyless, Err(LlmError::KeyMissing)));
    let keyed = caller("carla", AccountRole::User, true);
    assert!(world.router.route(&model, &keyed).await.unwrap().is_some());
    assert!(world.webhooks.calls().is_empty(), "no call for any refusal");
}

#[tokio::test]
async fn a_failing_webhook_hands_over_to_its_fallback_whole_or_streamed() {
    let world = World::new();
    world.create("last", |_| {}).await.unwrap();
    world
        .create("first", |d| {
            d.fallback_model = Some(Some("last".to_owned()));
        })
        .await
        .unwrap();
    world
        .create("gw", |d| {
            d.fallback_model = Some(Some("vendor/model".to_owned()));
        })
        .await
        .unwrap();
    let ana = caller("ana", AccountRole::User, true);

    world
        .webhooks
        .fail_next(LlmError::Upstream("500".to_owned()));
    let provider = route(&world, "first", &ana).await.unwrap();
    let answer = provider.complete(request("first")).await.unwrap();
    assert_eq!(
        answer.model.as_ref().map(ModelName::as_str),
        Some("last"),
        "named"
    );
    let slugs: Vec<String> = world
        .webhooks
        .calls()
        .into_iter()
        .map(|(_, c)| c.model)
        .collect();
    assert_eq!(slugs, ["first", "last"]);

    world.webhooks.fail_next(LlmError::Timeout);
    world.gateway.push_stream(&["from ", "the gateway"]);
    let provider = route(&world, "gw", &ana).await.unwrap();
    let events: Vec<StreamEvent> = provider
        .stream(request("gw"))
        .await
        .unwrap()
        .map(|e| e.unwrap())
        .collect()
        .await;
    let finished = events.last().unwrap();
    assert!(
        matches!(finished, StreamEvent::Finished { model: Some(m), .. } if m.as_str() == "vendor/model"),
        "{finished:?}"
    );
    let sent = world.gateway.requests();
    assert_eq!(sent[0].model.as_str(), "vendor/model");
    assert_eq!(
        sent[0].api_key, "sk-or-user",
        "the fallback uses the user's key"
    );

    // Without a fallback, the webhook's own error.
    world.webhooks.fail_next(LlmError::Timeout);
    let provider = route(&world, "last", &ana).await.unwrap();
    assert!(matches!(
        provider.complete(request("last")).await,
        Err(LlmError::Timeout)
    ));
}

#[tokio::test]
async fn an_open_circuit_sends_calls_straight_to_the_fallback() {
    let world = World::new();
    world
        .create("flaky", |d| {
            d.fallback_model = Some(Some("vendor/model".to_owned()));
        })
        .await
        .unwrap();
    let ana = caller("ana", AccountRole::User, true);
    for _ in 0..3 {
        world.gateway.push_reply("fallback answer");
    }
    for _ in 0..2 {
        world
            .webhooks
            .fail_next(LlmError::Upstream("502".to_owned()));
        let provider = route(&world, "flaky", &ana).await.unwrap();
        provider.complete(request("flaky")).await.unwrap();
    }
    assert_eq!(world.webhooks.calls().len(), 2);
    let provider = route(&world, "flaky", &ana).await.unwrap();
    let answer = provider.complete(request("flaky")).await.unwrap();
    assert_eq!(answer.content, "fallback answer");
    assert_eq!(
        world.webhooks.calls().len(),
        2,
        "the open circuit left the webhook alone"
    );
    assert_eq!(world.gateway.calls(), 3);
}

/// Routes `model` for `who` on another replica's router.
async fn route_on(
    router: &polychat_domain::services::custom_models::RegistryRouter,
    model: &str,
    who: &polychat_domain::ports::ModelCaller,
) -> bool {
    let model = ModelName::parse(model).expect("model");
    router.route(&model, who).await.expect("route").is_some()
}

#[tokio::test]
async fn a_change_on_one_replica_routes_on_every_other_at_the_next_call() {
    let world = World::new();
    let (_, other) = world.replica();
    let ana = caller("ana", AccountRole::User, false);
    assert!(!route_on(&other, "late", &ana).await, "no such model yet");
    world.create("late", |_| {}).await.unwrap();
    assert!(
        route_on(&other, "late", &ana).await,
        "a new model is routed at once"
    );

    let id = world.registry.list(true).await.unwrap()[0].id;
    world.registry.delete(world.admin, id, false).await.unwrap();
    assert!(
        !route_on(&other, "late", &ana).await,
        "a deactivated one stops at once"
    );

    world.stamps.set_unavailable(true);
    world.create("later", |_| {}).await.unwrap();
    assert!(
        route_on(&other, "later", &ana).await,
        "without stamps every call reads the registry"
    );
}
