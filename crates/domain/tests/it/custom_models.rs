//! The custom-model registry and the router over it, on in-memory ports and a
//! recording webhook caller: sealing, versions, who may use a model, the payload's
//! terms, and the fallback when a webhook fails before its answer started.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::StreamExt as _;
use polychat_domain::ports::{
    Completion, CompletionRequest, GenerationOptions, LlmError, LlmMessage, LlmProvider, LlmStream,
    ModelCaller, ModelInput, ModelRouter, SigningSecrets, StreamEvent, UrlRefusal, WebhookCall,
    WebhookCaller, WebhookEndpoint, WebhookUrlGuard,
};
use polychat_domain::services::custom_models::{
    CircuitPolicy, CustomModelPorts, CustomModelService, ModelDraft, RegistryError, RegistryRouter,
};
use polychat_domain::{AccountRole, ModelName, Role, Usage, UserId, Username};
use polychat_testkit::custom_models::InMemoryCustomModels;
use polychat_testkit::llm::ScriptedLlm;
use polychat_testkit::security::FakeCipher;
use secrecy::{ExposeSecret as _, SecretString};

/// Records every call; answers with the next scripted outcome (`Err` as an upstream
/// failure), or "hello" when the script is empty.
#[derive(Default)]
struct RecordingWebhooks {
    calls: Mutex<Vec<(WebhookEndpoint, WebhookCall)>>,
    failures: Mutex<Vec<LlmError>>,
}

impl RecordingWebhooks {
    fn fail_next(&self, error: LlmError) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(error);
    }

    fn calls(&self) -> Vec<(WebhookEndpoint, WebhookCall)> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record(&self, endpoint: &WebhookEndpoint, call: &WebhookCall) -> Result<(), LlmError> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((endpoint.clone(), call.clone()));
        match self
            .failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
        {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

fn hello() -> Completion {
    Completion {
        content: "hello".to_owned(),
        model: None,
        usage: Usage::default(),
        finish_reason: Some("stop".to_owned()),
        tool_calls: None,
    }
}

#[async_trait]
impl WebhookCaller for RecordingWebhooks {
    async fn complete(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<Completion, LlmError> {
        self.record(endpoint, call).map(|()| hello())
    }

    async fn stream(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<LlmStream, LlmError> {
        self.record(endpoint, call)?;
        Ok(futures_util::stream::iter(hello().into_events().into_iter().map(Ok)).boxed())
    }
}

/// Refuses hosts named `internal`, allows the rest.
struct NamedGuard;

#[async_trait]
impl WebhookUrlGuard for NamedGuard {
    async fn check(&self, url: &str) -> Result<(), UrlRefusal> {
        if url.contains("internal") {
            Err(UrlRefusal::ForbiddenAddress("10.0.0.1".to_owned()))
        } else {
            Ok(())
        }
    }
}

struct FixedSecrets;

impl SigningSecrets for FixedSecrets {
    fn generate(&self) -> SecretString {
        SecretString::from("whsec_fixed")
    }
}

struct World {
    registry: Arc<CustomModelService>,
    router: Arc<RegistryRouter>,
    webhooks: Arc<RecordingWebhooks>,
    gateway: Arc<ScriptedLlm>,
    admin: UserId,
}

impl World {
    fn new() -> Self {
        let webhooks = Arc::new(RecordingWebhooks::default());
        let registry = Arc::new(CustomModelService::new(CustomModelPorts {
            models: Arc::new(InMemoryCustomModels::new()),
            cipher: Arc::new(FakeCipher::with_keys("k1", &[])),
            secrets: Arc::new(FixedSecrets),
            urls: Arc::new(NamedGuard),
            webhooks: webhooks.clone(),
            clock: Arc::new(polychat_domain::ports::SystemClock),
        }));
        let gateway = Arc::new(ScriptedLlm::new());
        let router = RegistryRouter::new(
            gateway.clone(),
            registry.clone(),
            CircuitPolicy {
                failures_to_open: 2,
                cool_down: std::time::Duration::from_secs(30),
            },
        );
        Self {
            registry,
            router,
            webhooks,
            gateway,
            admin: UserId::generate(),
        }
    }

    async fn create(
        &self,
        slug: &str,
        change: impl FnOnce(&mut ModelDraft),
    ) -> Result<(), RegistryError> {
        let mut draft = draft(slug);
        change(&mut draft);
        self.registry.create(self.admin, draft).await.map(drop)
    }
}

fn draft(slug: &str) -> ModelDraft {
    ModelDraft {
        slug: Some(slug.to_owned()),
        name: Some("A bot".to_owned()),
        chat_webhook_url: Some("https://n8n.example.com/chat".to_owned()),
        completions_webhook_url: Some("https://n8n.example.com/completion".to_owned()),
        webhook_headers: Some(vec![(
            "X-Token".to_owned(),
            SecretString::from("header-secret"),
        )]),
        ..ModelDraft::default()
    }
}

fn caller(name: &str, role: AccountRole, has_key: bool) -> ModelCaller {
    ModelCaller {
        user_id: UserId::generate(),
        username: Username::parse(name).expect("username"),
        role,
        session_id: "chat-1".to_owned(),
        has_gateway_key: has_key,
    }
}

fn request(model: &str) -> CompletionRequest {
    CompletionRequest {
        model: ModelName::parse(model).expect("model"),
        input: ModelInput::Chat(vec![
            LlmMessage::text(Role::System, "Be brief."),
            LlmMessage::text(Role::User, "Oi?"),
        ]),
        api_key: SecretString::from("sk-or-user"),
        options: GenerationOptions::default(),
    }
}

async fn route(world: &World, model: &str, who: &ModelCaller) -> Option<Arc<dyn LlmProvider>> {
    let model = ModelName::parse(model).expect("model");
    world.router.route(&model, who).await.expect("route")
}

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
