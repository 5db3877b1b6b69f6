//! The world the custom-model tests share: the registry on in-memory ports, a
//! recording webhook caller, and requests and callers to route.

use polychat_testkit::stamps::InMemoryStamps;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::StreamExt as _;
use polychat_domain::ports::{
    Completion, CompletionRequest, GenerationOptions, LlmError, LlmMessage, LlmProvider, LlmStream,
    ModelCaller, ModelInput, ModelRouter, SigningSecrets, UrlRefusal, WebhookCall, WebhookCaller,
    WebhookEndpoint, WebhookUrlGuard,
};
use polychat_domain::services::custom_models::{
    CircuitPolicy, CustomModelPorts, CustomModelService, ModelDraft, RegistryError, RegistryRouter,
};
use polychat_domain::{AccountRole, ModelName, Role, Usage, UserId, Username};
use polychat_testkit::custom_models::InMemoryCustomModels;
use polychat_testkit::llm::ScriptedLlm;
use polychat_testkit::security::FakeCipher;
use secrecy::SecretString;

/// Records every call; answers with the next scripted outcome (`Err` as an upstream
/// failure), or "hello" when the script is empty.
#[derive(Default)]
pub(super) struct RecordingWebhooks {
    pub(super) calls: Mutex<Vec<(WebhookEndpoint, WebhookCall)>>,
    pub(super) failures: Mutex<Vec<LlmError>>,
}

impl RecordingWebhooks {
    pub(super) fn fail_next(&self, error: LlmError) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(error);
    }

    pub(super) fn calls(&self) -> Vec<(WebhookEndpoint, WebhookCall)> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn record(
        &self,
        endpoint: &WebhookEndpoint,
        call: &WebhookCall,
    ) -> Result<(), LlmError> {
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

pub(super) fn hello() -> Completion {
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
pub(super) struct NamedGuard;

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

pub(super) struct FixedSecrets;

impl SigningSecrets for FixedSecrets {
    fn generate(&self) -> SecretString {
        SecretString::from("whsec_fixed")
    }
}

pub(super) struct World {
    pub(super) registry: Arc<CustomModelService>,
    pub(super) router: Arc<RegistryRouter>,
    pub(super) webhooks: Arc<RecordingWebhooks>,
    pub(super) gateway: Arc<ScriptedLlm>,
    pub(super) admin: UserId,
    pub(super) stamps: Arc<InMemoryStamps>,
    models: Arc<InMemoryCustomModels>,
}

impl World {
    pub(super) fn new() -> Self {
        let webhooks = Arc::new(RecordingWebhooks::default());
        let gateway = Arc::new(ScriptedLlm::new());
        let models = Arc::new(InMemoryCustomModels::new());
        let stamps = Arc::new(InMemoryStamps::new());
        let (registry, router) = replica(&models, &stamps, &webhooks, &gateway);
        Self {
            registry,
            router,
            webhooks,
            gateway,
            admin: UserId::generate(),
            stamps,
            models,
        }
    }

    /// Another replica of the service: its own memory, the same stores.
    pub(super) fn replica(&self) -> (Arc<CustomModelService>, Arc<RegistryRouter>) {
        replica(&self.models, &self.stamps, &self.webhooks, &self.gateway)
    }

    pub(super) async fn create(
        &self,
        slug: &str,
        change: impl FnOnce(&mut ModelDraft),
    ) -> Result<(), RegistryError> {
        let mut draft = draft(slug);
        change(&mut draft);
        self.registry.create(self.admin, draft).await.map(drop)
    }
}

fn replica(
    models: &Arc<InMemoryCustomModels>,
    stamps: &Arc<InMemoryStamps>,
    webhooks: &Arc<RecordingWebhooks>,
    gateway: &Arc<ScriptedLlm>,
) -> (Arc<CustomModelService>, Arc<RegistryRouter>) {
    let registry = Arc::new(CustomModelService::new(CustomModelPorts {
        models: models.clone(),
        cipher: Arc::new(FakeCipher::with_keys("k1", &[])),
        secrets: Arc::new(FixedSecrets),
        urls: Arc::new(NamedGuard),
        webhooks: webhooks.clone(),
        stamps: stamps.clone(),
        clock: Arc::new(polychat_domain::ports::SystemClock),
        telemetry: Arc::new(polychat_testkit::telemetry::RecordedTelemetry::default()),
    }));
    let router = RegistryRouter::new(
        gateway.clone(),
        registry.clone(),
        CircuitPolicy {
            failures_to_open: 2,
            cool_down: std::time::Duration::from_secs(30),
        },
    );
    (registry, router)
}

pub(super) fn draft(slug: &str) -> ModelDraft {
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

pub(super) fn caller(name: &str, role: AccountRole, has_key: bool) -> ModelCaller {
    ModelCaller {
        user_id: UserId::generate(),
        username: Username::parse(name).expect("username"),
        role,
        session_id: "chat-1".to_owned(),
        has_gateway_key: has_key,
    }
}

pub(super) fn request(model: &str) -> CompletionRequest {
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

pub(super) async fn route(
    world: &World,
    model: &str,
    who: &ModelCaller,
) -> Option<Arc<dyn LlmProvider>> {
    let model = ModelName::parse(model).expect("model");
    world.router.route(&model, who).await.expect("route")
}
