//! Sealing, versions and refused changes.

use polychat_domain::services::custom_models::{ModelDraft, RegistryError};
use polychat_domain::{AccountRole, ModelName};
use secrecy::ExposeSecret as _;

use super::world::*;

#[tokio::test]
async fn secrets_are_sealed_and_opened_only_into_the_call() {
    let world = World::new();
    let created = world
        .registry
        .create(world.admin, draft("bot"))
        .await
        .unwrap();
    assert_eq!(created.signing_secret.expose_secret(), "whsec_fixed");
    let stored = &created.model;
    assert_ne!(stored.signing_secret, "whsec_fixed", "sealed at rest");
    assert_ne!(
        stored.settings.webhook_headers[0].ciphertext,
        "header-secret"
    );

    let ana = caller("ana", AccountRole::User, false);
    let provider = route(&world, "bot", &ana)
        .await
        .expect("everyone may use it");
    let answer = provider.complete(request("bot")).await.unwrap();
    assert_eq!(answer.content, "hello");
    assert_eq!(answer.model.as_ref().map(ModelName::as_str), Some("bot"));
    let (endpoint, call) = world.webhooks.calls().pop().unwrap();
    assert_eq!(endpoint.url, "https://n8n.example.com/chat");
    assert_eq!(endpoint.signing_secret.expose_secret(), "whsec_fixed");
    assert_eq!(endpoint.headers[0].0, "X-Token");
    assert_eq!(endpoint.headers[0].1.expose_secret(), "header-secret");
    assert_eq!(endpoint.timeout.as_secs(), 60, "the default timeout");
    assert_eq!(
        (call.model.as_str(), call.chat_input.as_str()),
        ("bot", "Oi?")
    );
    assert_eq!(
        (call.session_id.as_str(), call.user_id),
        ("chat-1", ana.user_id)
    );
    assert!(!call.stream);
    assert_eq!(call.messages.len(), 2);
}

#[tokio::test]
async fn changes_are_versions_and_refusals_change_nothing() {
    let world = World::new();
    let created = world
        .registry
        .create(world.admin, draft("bot"))
        .await
        .unwrap()
        .model;
    let refused = world
        .registry
        .create(world.admin, draft("bot"))
        .await
        .map(drop);
    assert!(matches!(refused, Err(RegistryError::SlugTaken)));
    let mut internal = draft("other");
    internal.chat_webhook_url = Some("https://internal.example/hook".to_owned());
    let refused = world.registry.create(world.admin, internal).await.map(drop);
    assert!(
        matches!(
            refused,
            Err(RegistryError::UrlForbidden {
                field: "chat_webhook_url",
                ..
            })
        ),
        "{refused:?}"
    );

    let change = ModelDraft {
        name: Some("Renamed".to_owned()),
        ..ModelDraft::default()
    };
    let changed = world
        .registry
        .update(world.admin, created.id, change)
        .await
        .unwrap();
    assert_eq!(
        (changed.version, changed.settings.name.as_str()),
        (2, "Renamed")
    );
    assert_eq!(
        changed.settings.webhook_headers, created.settings.webhook_headers,
        "headers kept"
    );
    let restored = world
        .registry
        .restore(world.admin, created.id, 1)
        .await
        .unwrap();
    assert_eq!(
        (restored.version, restored.settings.name.as_str()),
        (3, "A bot")
    );
    world
        .registry
        .delete(world.admin, created.id, false)
        .await
        .unwrap();
    let versions = world.registry.versions(created.id).await.unwrap();
    assert_eq!(versions.len(), 4, "deactivating is a version too");
    assert!(!versions[0].settings.is_active);
    world
        .registry
        .delete(world.admin, created.id, true)
        .await
        .unwrap();
    assert!(matches!(
        world.registry.get(created.id).await,
        Err(RegistryError::NotFound)
    ));
}
