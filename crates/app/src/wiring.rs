//! Dependency injection: the only place that knows which adapter fills which port.
//! Builds every adapter from the configuration, checks they fit together (the vector
//! dimension of the embedder and the schema), and hands them to the use cases.

use std::sync::Arc;
use std::time::Duration;

use crate::metrics::Metrics;
use anyhow::Context as _;
use polychat_auth::{
    BcryptHasher, JwtConfig, JwtTokenService, RandomSigningSecrets, Sha256ApiKeys, TrustedIssuers,
};
use polychat_crypto::{MasterKeys, XChaChaCipher};
use polychat_detector::Detector;
use polychat_domain::ports::{Clock, HealthProbe, RateLimiter, SystemClock, Tasks, Telemetry};
use polychat_domain::services::api_keys::{ApiKeyPolicy, ApiKeyPorts, ApiKeyService};
use polychat_domain::services::auth::{AuthPorts, AuthService, LoginPolicy, ServiceKey};
use polychat_domain::services::chat::{ChatPorts, ChatService};
use polychat_domain::services::custom_models::{
    CircuitPolicy, CustomModelPorts, CustomModelService, RegistryRouter,
};
use polychat_domain::services::issuers::{ExternalPorts, ExternalSignIn};
use polychat_domain::services::master_key::{MasterKeyCheck, MasterKeyState};
use polychat_domain::services::memory::{MemoryPorts, MemoryService};
use polychat_domain::services::retention::RetentionService;
use polychat_domain::services::search::SearchService;
use polychat_domain::services::usage::{UsagePolicy, UsageService};
use polychat_openrouter::{
    EmbeddingsClient, EmbeddingsProbe, OpenRouterCatalog, OpenRouterClient, OpenRouterKeyCheck,
};
use polychat_postgres::Postgres;
use polychat_webhook::WebhookClient;
use tokio::runtime::Handle;

use crate::config::AppConfig;
use crate::limits::FallbackRateLimiter;
use crate::readiness::{Dependency, Readiness};
use crate::retention;
use crate::state::AppState;
use crate::tasks::BackgroundTasks;

mod commands;

pub use commands::{migrate, rotate_keys, set_role};

/// The largest answer a webhook may give.
const WEBHOOK_MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// How long `/ready` waits for each dependency.
const PROBE_DEADLINE: Duration = Duration::from_secs(2);

fn cipher(config: &AppConfig) -> anyhow::Result<XChaChaCipher> {
    let secrets = &config.secrets;
    let keys = MasterKeys::parse(&secrets.master_key, secrets.previous_master_keys.as_ref())?;
    Ok(XChaChaCipher::new(keys))
}

/// The custom-model registry, calling webhooks under the network rule of
/// `WEBHOOK_ALLOWED_NETWORKS`.
fn custom_models(
    config: &AppConfig,
    postgres: &Postgres,
    redis: &polychat_redis::Redis,
    clock: Arc<dyn Clock>,
    telemetry: Arc<dyn Telemetry>,
) -> anyhow::Result<CustomModelService> {
    let policy = config.webhook_networks.clone();
    let webhooks = WebhookClient::new(policy.clone(), WEBHOOK_MAX_ANSWER_BYTES)
        .context("building the webhook client")?;
    Ok(CustomModelService::new(CustomModelPorts {
        models: Arc::new(postgres.clone()),
        cipher: Arc::new(cipher(config)?),
        secrets: Arc::new(RandomSigningSecrets),
        urls: Arc::new(policy),
        webhooks: Arc::new(webhooks),
        stamps: Arc::new(redis.clone()),
        clock,
        telemetry,
    }))
}

fn auth_service(
    config: &AppConfig,
    postgres: &Postgres,
    redis: &polychat_redis::Redis,
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    telemetry: Arc<dyn Telemetry>,
) -> anyhow::Result<AuthService> {
    let tokens = JwtTokenService::new(JwtConfig::new(config.secrets.jwt_secret.clone()))?;
    let policy = LoginPolicy::default();
    let issuers = &config.issuers;
    let service_key = issuers.service_key.clone().map(|key| ServiceKey {
        key,
        local_users: issuers.service_key_for_local_users,
        issuers: issuers
            .issuers
            .iter()
            .filter(|issuer| issuer.allow_service_key)
            .map(|issuer| issuer.name.clone())
            .collect(),
    });
    Ok(AuthService::new(
        AuthPorts {
            users: Arc::new(postgres.clone()),
            hasher: Arc::new(BcryptHasher::new(config.bcrypt_cost)?),
            tokens: Arc::new(tokens),
            denylist: Arc::new(redis.clone()),
            sessions: Arc::new(postgres.clone()),
            cipher: Arc::new(cipher(config)?),
            key_check: Arc::new(OpenRouterKeyCheck::new(&config.openrouter)?),
            limiter,
            stamps: Arc::new(redis.clone()),
            clock,
            telemetry,
        },
        policy,
    )
    .with_service_key(service_key)
    .with_trusted_issuers(issuers.issuers.iter().map(|issuer| issuer.name.clone())))
}

/// Authenticates every request: API keys, our access tokens, and the trusted issuers'.
fn api_key_service(
    config: &AppConfig,
    postgres: &Postgres,
    auth: Arc<AuthService>,
    tasks: Arc<BackgroundTasks>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ApiKeyService> {
    let api_keys = ApiKeyService::new(
        ApiKeyPorts {
            keys: Arc::new(postgres.clone()),
            minter: Arc::new(Sha256ApiKeys),
            tasks,
            clock: clock.clone(),
        },
        auth,
        ApiKeyPolicy::default(),
    );
    Ok(match external_sign_in(config, postgres, clock)? {
        Some(external) => api_keys.with_external(external),
        None => api_keys,
    })
}

/// Signs in the users of the trusted issuers, when the issuers file names any.
fn external_sign_in(
    config: &AppConfig,
    postgres: &Postgres,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Option<Arc<ExternalSignIn>>> {
    if config.issuers.issuers.is_empty() {
        return Ok(None);
    }
    let verifier = TrustedIssuers::new(config.issuers.issuers.clone())?;
    tracing::info!(issuers = ?verifier, "trusted issuers");
    Ok(Some(Arc::new(ExternalSignIn::new(ExternalPorts {
        verifier: Arc::new(verifier),
        identities: Arc::new(postgres.clone()),
        clock,
    }))))
}

/// Refuses to go on when no configured master key opens the stored check value (the
/// secrets were sealed with another key); warns while a previous key still does.
async fn verify_master_key(
    config: &AppConfig,
    postgres: &Postgres,
) -> anyhow::Result<MasterKeyCheck> {
    let check = MasterKeyCheck::new(Arc::new(cipher(config)?), Arc::new(postgres.clone()));
    if check.verify().await? == MasterKeyState::Previous {
        tracing::warn!(
            "the stored secrets are sealed with APP_MASTER_KEY_PREVIOUS; run `polychat rotate-keys`"
        );
    }
    Ok(check)
}

async fn connect_redis(config: &AppConfig) -> anyhow::Result<polychat_redis::Redis> {
    polychat_redis::connect(&config.redis)
        .await
        .context("connecting to Redis")
}

/// The model calls and the model catalog, both on OpenRouter.
fn openrouter(config: &AppConfig) -> anyhow::Result<(OpenRouterClient, OpenRouterCatalog)> {
    Ok((
        OpenRouterClient::new(&config.openrouter)?,
        OpenRouterCatalog::new(&config.openrouter)?,
    ))
}

/// The embeddings client, once its vector dimension is known to fit the schema.
async fn embedder(config: &AppConfig, postgres: &Postgres) -> anyhow::Result<EmbeddingsClient> {
    let embedder = EmbeddingsClient::new(config.embeddings.clone())?;
    postgres
        .verify_embedding_dimensions(config.embeddings.dimensions)
        .await
        .context("EMBEDDINGS_DIMENSIONS does not match the database schema")?;
    Ok(embedder)
}

async fn connect_mongo(config: &AppConfig) -> anyhow::Result<polychat_mongo::Mongo> {
    polychat_mongo::connect(&config.mongo)
        .await
        .context("connecting to MongoDB")
}

/// Connects every adapter and builds the use cases; background tasks run on
/// `background`.
pub async fn build_state(config: &AppConfig, background: Handle) -> anyhow::Result<AppState> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let metrics = Arc::new(Metrics::new());
    let postgres = polychat_postgres::connect(&config.postgres)
        .await
        .context("connecting to PostgreSQL")?
        .observed(metrics.clone());
    verify_master_key(config, &postgres).await?;
    let mongo = connect_mongo(config).await?.observed(metrics.clone());
    let redis = connect_redis(config).await?.observed(metrics.clone());

    let embedder = embedder(config, &postgres).await?;
    let (llm, catalog) = openrouter(config)?;
    let tasks = Arc::new(BackgroundTasks::new(background.clone()));

    let limiter: Arc<dyn RateLimiter> = Arc::new(FallbackRateLimiter::new(Arc::new(redis.clone())));
    let auth = Arc::new(auth_service(
        config,
        &postgres,
        &redis,
        limiter.clone(),
        clock.clone(),
        metrics.clone(),
    )?);
    let api_keys = api_key_service(
        config,
        &postgres,
        auth.clone(),
        tasks.clone(),
        clock.clone(),
    )?;
    let memory = Arc::new(MemoryService::new(
        MemoryPorts {
            preferences: Arc::new(postgres.clone()),
            messages: Arc::new(postgres.clone()),
            embedder: Arc::new(embedder.clone()),
            detector: Arc::new(Detector::new()?),
            clock: clock.clone(),
            tasks: tasks.clone(),
            chats: Arc::new(mongo.clone()),
        },
        config.memory.policy,
    ));
    let models = Arc::new(custom_models(
        config,
        &postgres,
        &redis,
        clock.clone(),
        metrics.clone(),
    )?);
    let usage = Arc::new(UsageService::new(
        Arc::new(postgres.clone()),
        tasks.clone(),
        UsagePolicy::default(),
    ));
    let chats = ChatService::new(
        ChatPorts {
            chats: Arc::new(mongo.clone()),
            cache: Arc::new(redis.clone()),
            answers: Arc::new(redis.clone()),
            models: RegistryRouter::new(Arc::new(llm), models.clone(), CircuitPolicy::default()),
            catalog: Arc::new(catalog),
            idempotency: Arc::new(redis.clone()),
            limiter,
            generations: Arc::new(redis.clone()),
            tasks: tasks.clone(),
            clock: clock.clone(),
            telemetry: metrics.clone(),
        },
        config.chat.clone(),
        auth.clone(),
        memory.clone(),
        usage.clone(),
    );
    schedule_retention(config, &chats, &redis, clock, &background, tasks.as_ref());
    let search = SearchService::new(
        Arc::new(postgres.clone()),
        memory.clone(),
        Arc::new(mongo.clone()),
        config.chat.sectors.clone(),
        config.memory.search_min_similarity,
    );
    let readiness = readiness(postgres, mongo, redis, embedder);
    Ok(AppState {
        auth,
        api_keys,
        chats,
        models,
        memory,
        search,
        usage,
        readiness,
        tasks,
        metrics,
        metrics_token: config.server.metrics_token.clone(),
        sse_keepalive: config.server.sse_keepalive,
        request_timeout: config.server.request_timeout,
        sectors: config.chat.sectors.clone(),
    })
}

/// The retention sweeps, when `CHAT_RETENTION_DAYS` is set; they stop with the
/// background tasks.
fn schedule_retention(
    config: &AppConfig,
    chats: &ChatService,
    redis: &polychat_redis::Redis,
    clock: Arc<dyn Clock>,
    background: &Handle,
    tasks: &BackgroundTasks,
) {
    if let Some(policy) = config.retention.policy {
        let sweeper = RetentionService::new(chats.clone(), Arc::new(redis.clone()), clock, policy);
        retention::schedule(
            background,
            sweeper,
            config.retention.sweep_every,
            tasks.stopping(),
        );
    }
}

/// What `/ready` checks: the three stores (required) and the embeddings server.
fn readiness(
    postgres: Postgres,
    mongo: polychat_mongo::Mongo,
    redis: polychat_redis::Redis,
    embedder: EmbeddingsClient,
) -> Readiness {
    let dependency = |probe: Arc<dyn HealthProbe>, required| Dependency { probe, required };
    Readiness::new(
        vec![
            dependency(Arc::new(postgres), true),
            dependency(Arc::new(mongo), true),
            dependency(Arc::new(redis), true),
            dependency(
                Arc::new(EmbeddingsProbe::new(embedder, PROBE_DEADLINE)),
                false,
            ),
        ],
        PROBE_DEADLINE,
    )
}
