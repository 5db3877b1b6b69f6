//! Which provider answers a model id: an id with a `/` goes to the gateway (OpenRouter,
//! with the user's own key); a slug to its custom model's webhook, if the model is
//! active and the caller may use it. A webhook that fails before its answer started
//! hands the call to the model's fallback, which the answer then names.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::future::{BoxFuture, ready};
use futures_util::stream::{self, StreamExt as _};

use super::CustomModelService;
use super::circuit::{CircuitPolicy, Circuits};
use crate::custom_model::{CustomModel, ModelSlug};
use crate::ports::{
    Completion, CompletionRequest, LlmError, LlmProvider, LlmStream, ModelCaller, ModelInfo,
    ModelInput, ModelRouter, StreamEvent, WebhookCall, WebhookKind,
};
use crate::{AccountRole, ModelName, Role};

/// The routing rule of the contract over the gateway and the registry.
pub struct RegistryRouter {
    gateway: Arc<dyn LlmProvider>,
    registry: Arc<CustomModelService>,
    circuits: Arc<Circuits>,
}

impl RegistryRouter {
    pub fn new(
        gateway: Arc<dyn LlmProvider>,
        registry: Arc<CustomModelService>,
        circuit: CircuitPolicy,
    ) -> Arc<Self> {
        Arc::new(Self {
            gateway,
            registry,
            circuits: Arc::new(Circuits::new(circuit)),
        })
    }

    /// The active model `slug` names, if `caller` may use it.
    async fn usable(
        &self,
        slug: &ModelSlug,
        caller: &ModelCaller,
    ) -> Result<Option<CustomModel>, LlmError> {
        let model = self
            .registry
            .routed_model(slug)
            .await
            .map_err(|e| LlmError::Unknown(e.into()))?;
        Ok(model.filter(|m| may_use(m, caller)))
    }
}

fn may_use(model: &CustomModel, caller: &ModelCaller) -> bool {
    model.settings.is_active
        && (caller.role == AccountRole::Admin || model.settings.admits(&caller.username))
}

/// How many fallbacks one call may go through (cycles are refused when a model is
/// saved; this bounds a chain that concurrent changes made circular).
const MAX_FALLBACK_DEPTH: usize = 4;

impl RegistryRouter {
    fn resolve<'a>(
        &'a self,
        model: &'a ModelName,
        caller: &'a ModelCaller,
        depth: usize,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn LlmProvider>>, LlmError>> {
        Box::pin(async move {
            if model.as_str().contains('/') {
                return if caller.has_gateway_key {
                    Ok(Some(self.gateway.clone()))
                } else {
                    Err(LlmError::KeyMissing)
                };
            }
            let Some(slug) = ModelSlug::from_model(model) else {
                return Ok(None);
            };
            let Some(found) = self.usable(&slug, caller).await? else {
                return Ok(None);
            };
            let fallback = match &found.settings.fallback_model {
                Some(name) if depth < MAX_FALLBACK_DEPTH => {
                    match self.resolve(name, caller, depth + 1).await {
                        Ok(Some(provider)) => Some((name.clone(), provider)),
                        Ok(None) | Err(_) => None,
                    }
                }
                _ => None,
            };
            Ok(Some(Arc::new(WebhookModel {
                model: found,
                caller: caller.clone(),
                registry: self.registry.clone(),
                circuits: self.circuits.clone(),
                fallback,
            }) as Arc<dyn LlmProvider>))
        })
    }
}

#[async_trait]
impl ModelRouter for RegistryRouter {
    async fn route(
        &self,
        model: &ModelName,
        caller: &ModelCaller,
    ) -> Result<Option<Arc<dyn LlmProvider>>, LlmError> {
        self.resolve(model, caller, 0).await
    }

    async fn custom_models(&self, caller: &ModelCaller) -> Result<Vec<ModelInfo>, LlmError> {
        let models = self
            .registry
            .list(false)
            .await
            .map_err(|e| LlmError::Unknown(anyhow::anyhow!(e.to_string())))?;
        Ok(models
            .into_iter()
            .filter(|m| may_use(m, caller))
            .map(|m| ModelInfo {
                id: m.settings.slug.to_string(),
                owned_by: "polychat".to_owned(),
                created: m.created_at.timestamp(),
                name: Some(m.settings.name),
                description: m.settings.description,
            })
            .collect())
    }
}

/// A custom model for one caller: its webhook, and the fallback that answers when the
/// webhook fails before its answer started.
struct WebhookModel {
    model: CustomModel,
    caller: ModelCaller,
    registry: Arc<CustomModelService>,
    circuits: Arc<Circuits>,
    fallback: Option<(ModelName, Arc<dyn LlmProvider>)>,
}

impl WebhookModel {
    fn call(&self, input: &ModelInput, stream: bool) -> WebhookCall {
        let (kind, messages, prompt, chat_input) = match input {
            ModelInput::Chat(messages) => {
                let last = messages.iter().rev().find(|m| m.role == Role::User);
                let input = last.map(|m| m.content.clone()).unwrap_or_default();
                (WebhookKind::Chat, messages.clone(), None, input)
            }
            ModelInput::Text(prompt) => (
                WebhookKind::Completion,
                Vec::new(),
                Some(prompt.clone()),
                prompt.clone(),
            ),
        };
        WebhookCall {
            model: self.model.settings.slug.to_string(),
            kind,
            messages,
            prompt,
            chat_input,
            session_id: self.caller.session_id.clone(),
            user_id: self.caller.user_id,
            stream,
        }
    }

    fn endpoint(&self, kind: WebhookKind) -> Result<crate::ports::WebhookEndpoint, LlmError> {
        self.registry
            .endpoint(&self.model, kind)
            .map_err(|e| LlmError::Unknown(anyhow::anyhow!(e.to_string())))
    }

    /// Whether the model's circuit lets a call through now.
    fn admitted(&self) -> Result<(), LlmError> {
        let now = self.registry.ports.clock.now();
        if self.circuits.admits(self.model.settings.slug.as_str(), now) {
            Ok(())
        } else {
            Err(LlmError::Upstream(
                "the model's circuit is open after repeated failures".to_owned(),
            ))
        }
    }

    /// Counts the call's outcome on the model's circuit.
    fn record(&self, error: Option<&LlmError>) {
        let slug = self.model.settings.slug.as_str();
        match error {
            None => self.circuits.succeeded(slug),
            Some(error) => {
                let now = self.registry.ports.clock.now();
                if self.circuits.failed(slug, now) {
                    self.registry.ports.telemetry.circuit_opened(slug);
                    tracing::warn!(model = slug, error = %error, "custom model's circuit opened");
                }
            }
        }
    }

    /// The fallback's answer in place of the webhook's `error`, or that error.
    fn fallback_for(
        &self,
        request: &CompletionRequest,
        error: &LlmError,
    ) -> Option<(ModelName, Arc<dyn LlmProvider>, CompletionRequest)> {
        let (name, provider) = self.fallback.as_ref()?;
        self.registry
            .ports
            .telemetry
            .webhook_fallback(self.model.settings.slug.as_str());
        tracing::warn!(
            model = %self.model.settings.slug,
            fallback = %name,
            error = %error,
            "custom model failed; its fallback answers"
        );
        let request = CompletionRequest {
            model: name.clone(),
            input: request.input.clone(),
            api_key: request.api_key.clone(),
            options: request.options.clone(),
        };
        Some((name.clone(), provider.clone(), request))
    }
}

#[async_trait]
impl LlmProvider for WebhookModel {
    async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        let call = self.call(&request.input, false);
        let endpoint = self.endpoint(call.kind)?;
        let outcome = match self.admitted() {
            Ok(()) => {
                let outcome = self
                    .registry
                    .ports
                    .webhooks
                    .complete(&endpoint, &call)
                    .await;
                self.record(outcome.as_ref().err());
                outcome
            }
            Err(open) => Err(open),
        };
        match outcome {
            Ok(mut completion) => {
                completion.model = Some(request.model.clone());
                Ok(completion)
            }
            Err(error) => {
                let Some((name, provider, request)) = self.fallback_for(&request, &error) else {
                    return Err(error);
                };
                let mut completion = provider.complete(request).await?;
                // A custom fallback names the model that answered itself.
                if ModelSlug::from_model(&name).is_none() {
                    completion.model = Some(name);
                }
                Ok(completion)
            }
        }
    }

    async fn stream(&self, request: CompletionRequest) -> Result<LlmStream, LlmError> {
        let call = self.call(&request.input, true);
        let endpoint = self.endpoint(call.kind)?;
        let outcome = match self.admitted() {
            Ok(()) => {
                let outcome = self.registry.ports.webhooks.stream(&endpoint, &call).await;
                self.record(outcome.as_ref().err());
                outcome
            }
            Err(open) => Err(open),
        };
        match outcome {
            Ok(stream) => Ok(named(stream, request.model.clone())),
            Err(error) => {
                let Some((name, provider, request)) = self.fallback_for(&request, &error) else {
                    return Err(error);
                };
                let stream = provider.stream(request).await?;
                // A custom fallback names the model that answers itself (its own
                // fallback may have taken over); the stream then says so once more.
                let stream = if ModelSlug::from_model(&name).is_some() {
                    stream
                } else {
                    named(stream, name.clone())
                };
                let rerouted = stream::once(ready(Ok(StreamEvent::Rerouted(name))));
                Ok(rerouted.chain(stream).boxed())
            }
        }
    }
}

/// The stream with its `Finished` event naming `model` as the one that answered.
fn named(stream: LlmStream, model: ModelName) -> LlmStream {
    stream
        .map(move |event| match event {
            Ok(StreamEvent::Finished {
                usage,
                finish_reason,
                ..
            }) => Ok(StreamEvent::Finished {
                model: Some(model.clone()),
                usage,
                finish_reason,
            }),
            other => other,
        })
        .boxed()
}
