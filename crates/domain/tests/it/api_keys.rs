//! Use-case tests of personal API keys over the testkit fakes: minting, listing,
//! revoking, authenticating with a key or an access token, expiry, and how rarely
//! `last_used_at` is written.

use std::sync::Arc;

use chrono::TimeDelta;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use polychat_domain::api_key::API_KEY_PREFIX_CHARS;
use polychat_domain::ports::{Clock, Tasks};
use polychat_domain::services::ServiceError;
use polychat_domain::services::api_keys::{
    ApiKeyError, ApiKeyPolicy, ApiKeyPorts, ApiKeyService, CreatedApiKey,
};
use polychat_domain::services::auth::{AuthError, AuthPorts, AuthService, LoginPolicy};
use polychat_domain::{ApiKeyId, Credential, UserId};
use polychat_testkit::api_keys::{FakeMinter, InMemoryApiKeys};
use polychat_testkit::clock::ManualClock;
use polychat_testkit::denylist::InMemoryDenylist;
use polychat_testkit::limits::InMemoryRateLimiter;
use polychat_testkit::security::{FakeCipher, FakeTokens, PlainHasher};
use polychat_testkit::stamps::InMemoryStamps;
use polychat_testkit::users::InMemoryUsers;
use secrecy::{ExposeSecret, SecretString};

mod remembered;

/// Runs background work to completion at once; the fakes never wait.
struct InlineSpawner;

impl Tasks for InlineSpawner {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        task.now_or_never().expect("fake stores answer at once");
    }

    fn sleep(&self, _: std::time::Duration) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }

    fn stopping(&self) -> BoxFuture<'static, ()> {
        Box::pin(std::future::pending())
    }
}

struct World {
    keys: ApiKeyService,
    auth: Arc<AuthService>,
    store: Arc<InMemoryApiKeys>,
    users: Arc<InMemoryUsers>,
    stamps: Arc<InMemoryStamps>,
    clock: Arc<ManualClock>,
    policy: ApiKeyPolicy,
}

impl World {
    fn new() -> Self {
        Self::with_policy(ApiKeyPolicy::default())
    }

    fn with_policy(policy: ApiKeyPolicy) -> Self {
        let clock = Arc::new(ManualClock::default());
        let store = Arc::new(InMemoryApiKeys::new());
        let users = Arc::new(InMemoryUsers::new());
        let stamps = Arc::new(InMemoryStamps::new());
        let (auth, keys) = replica(&clock, &store, &users, &stamps, policy);
        Self {
            keys,
            auth,
            store,
            users,
            stamps,
            clock,
            policy,
        }
    }

    /// Another replica of the service: its own memory, the same stores.
    fn replica(&self) -> (Arc<AuthService>, ApiKeyService) {
        replica(
            &self.clock,
            &self.store,
            &self.users,
            &self.stamps,
            self.policy,
        )
    }

    async fn create(&self, owner: UserId, days: Option<i64>) -> CreatedApiKey {
        self.keys
            .create(owner, " n8n ", days)
            .await
            .expect("create")
    }

    async fn user(&self, name: &str) -> UserId {
        let registration = polychat_domain::services::auth::Registration {
            username: name.to_owned(),
            password: SecretString::from("correct horse battery"),
            display_name: None,
            openrouter_api_key: None,
        };
        self.auth
            .register(registration)
            .await
            .expect("register")
            .user
            .id
    }
}

fn replica(
    clock: &Arc<ManualClock>,
    store: &Arc<InMemoryApiKeys>,
    users: &Arc<InMemoryUsers>,
    stamps: &Arc<InMemoryStamps>,
    policy: ApiKeyPolicy,
) -> (Arc<AuthService>, ApiKeyService) {
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let auth = Arc::new(AuthService::new(
        AuthPorts {
            users: users.clone(),
            hasher: Arc::new(PlainHasher),
            tokens: Arc::new(FakeTokens::new(dyn_clock.clone())),
            denylist: Arc::new(InMemoryDenylist::new(dyn_clock.clone())),
            sessions: Arc::new(polychat_testkit::sessions::InMemorySessions::new()),
            cipher: Arc::new(FakeCipher::default()),
            key_check: Arc::new(polychat_testkit::llm::FakeKeyCheck::default()),
            telemetry: Arc::new(polychat_testkit::telemetry::RecordedTelemetry::default()),
            limiter: Arc::new(InMemoryRateLimiter::new(dyn_clock.clone())),
            stamps: stamps.clone(),
            clock: dyn_clock.clone(),
        },
        LoginPolicy::default(),
    ));
    let keys = ApiKeyService::new(
        ApiKeyPorts {
            keys: store.clone(),
            minter: Arc::new(FakeMinter),
            tasks: Arc::new(InlineSpawner),
            clock: dyn_clock,
        },
        auth.clone(),
        policy,
    );
    (auth, keys)
}

fn secret(created: &CreatedApiKey) -> &str {
    created.secret.expose_secret()
}

#[tokio::test]
async fn a_minted_key_authenticates_its_owner_and_is_listed_without_its_secret() {
    let world = World::new();
    let owner = UserId::generate();
    let created = world.create(owner, None).await;
    assert!(secret(&created).starts_with("pc_"));
    assert_eq!(created.key.name.as_str(), "n8n", "the name is trimmed");
    assert_eq!(created.key.prefix.chars().count(), API_KEY_PREFIX_CHARS);
    assert!(secret(&created).starts_with(&created.key.prefix));
    assert_eq!(created.key.expires_at, None);

    let principal = world.keys.authenticate(secret(&created)).await.unwrap();
    assert_eq!(principal.user_id, owner);
    assert_eq!(principal.credential, Credential::ApiKey(created.key.id));
    assert!(principal.session().is_none());

    let listed = world.keys.list(owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.key.id);
    assert!(
        world
            .keys
            .list(UserId::generate())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn access_tokens_authenticate_as_sessions() {
    let world = World::new();
    let user = world.user("ana").await;
    let pair = world
        .auth
        .login("ana", "correct horse battery", "192.0.2.1")
        .await
        .unwrap();
    let principal = world
        .keys
        .authenticate(pair.access_token.expose_secret())
        .await
        .unwrap();
    assert_eq!(principal.user_id, user);
    assert_eq!(principal.session(), Some(&pair.access));
    let refresh = world
        .keys
        .authenticate(pair.refresh_token.expose_secret())
        .await;
    assert!(matches!(refresh, Err(AuthError::Unauthorized(_))));
}

#[tokio::test]
async fn unknown_forged_and_oversized_keys_are_refused() {
    let world = World::new();
    let created = world.create(UserId::generate(), None).await;
    let forged = format!("{}x", secret(&created));
    let oversized = format!("pc_{}", "a".repeat(200));
    for bearer in [
        "pc_",
        "pc_nope",
        forged.as_str(),
        oversized.as_str(),
        "garbage",
    ] {
        let result = world.keys.authenticate(bearer).await;
        assert!(
            matches!(result, Err(AuthError::Unauthorized(_))),
            "{bearer}: {result:?}"
        );
    }
}

#[tokio::test]
async fn only_the_owner_revokes_and_a_revoked_key_stops_at_once() {
    let world = World::new();
    let (owner, stranger) = (UserId::generate(), UserId::generate());
    let created = world.create(owner, Some(30)).await;
    let theirs = world.keys.revoke(stranger, created.key.id).await;
    assert!(matches!(theirs, Err(ApiKeyError::NotFound)), "{theirs:?}");
    world.keys.authenticate(secret(&created)).await.unwrap();

    world.keys.revoke(owner, created.key.id).await.unwrap();
    let after = world.keys.authenticate(secret(&created)).await;
    assert!(
        matches!(after, Err(AuthError::Unauthorized(_))),
        "{after:?}"
    );
    let again = world.keys.revoke(owner, created.key.id).await;
    assert!(matches!(again, Err(ApiKeyError::NotFound)));
    let missing = world.keys.revoke(owner, ApiKeyId::generate()).await;
    assert!(matches!(missing, Err(ApiKeyError::NotFound)));
}

#[tokio::test]
async fn a_key_expires_after_its_days() {
    let world = World::new();
    let created = world.create(UserId::generate(), Some(1)).await;
    assert_eq!(
        created.key.expires_at,
        Some(created.key.created_at + TimeDelta::days(1))
    );
    world.clock.advance(TimeDelta::hours(23));
    world.keys.authenticate(secret(&created)).await.unwrap();
    world.clock.advance(TimeDelta::hours(1));
    let expired = world.keys.authenticate(secret(&created)).await;
    assert!(
        matches!(expired, Err(AuthError::Unauthorized(_))),
        "{expired:?}"
    );
}

#[tokio::test]
async fn names_and_lifetimes_are_validated_naming_the_field() {
    let world = World::new();
    let owner = UserId::generate();
    let long = "k".repeat(65);
    for (name, days, field) in [
        ("", None, "name"),
        ("   ", None, "name"),
        (long.as_str(), None, "name"),
        ("ok", Some(0), "expires_in_days"),
        ("ok", Some(-3), "expires_in_days"),
        ("ok", Some(3651), "expires_in_days"),
    ] {
        match world.keys.create(owner, name, days).await {
            Err(ApiKeyError::Validation(error)) => assert_eq!(error.field, field),
            other => panic!("{name:?} {days:?}: {other:?}"),
        }
    }
    assert!(world.keys.list(owner).await.unwrap().is_empty());
    world
        .keys
        .create(owner, &"k".repeat(64), Some(3650))
        .await
        .unwrap();
}

#[tokio::test]
async fn last_use_is_written_about_once_a_minute_not_per_request() {
    let world = World::new();
    let created = world.create(UserId::generate(), None).await;
    for _ in 0..50 {
        world.keys.authenticate(secret(&created)).await.unwrap();
    }
    assert_eq!(world.store.touches(), 1);
    let listed = world.keys.list(created.key.user_id).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(world.clock.now()));

    world.clock.advance(TimeDelta::seconds(59));
    world.keys.authenticate(secret(&created)).await.unwrap();
    assert_eq!(world.store.touches(), 1);
    world.clock.advance(TimeDelta::seconds(2));
    world.keys.authenticate(secret(&created)).await.unwrap();
    assert_eq!(world.store.touches(), 2);
}

#[tokio::test]
async fn a_key_store_outage_fails_closed() {
    let world = World::new();
    let created = world.create(UserId::generate(), None).await;
    world.store.set_unavailable(true);
    let result = world.keys.authenticate(secret(&created)).await;
    assert!(
        matches!(
            result,
            Err(AuthError::Service(ServiceError::Unavailable(_)))
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_user_holds_a_bounded_number_of_keys() {
    let world = World::with_policy(ApiKeyPolicy {
        max_keys_per_user: 2,
        ..ApiKeyPolicy::default()
    });
    let (owner, other) = (UserId::generate(), UserId::generate());
    let first = world.create(owner, None).await;
    world.create(owner, None).await;
    let third = world.keys.create(owner, "third", None).await;
    assert!(
        matches!(third, Err(ApiKeyError::LimitReached { limit: 2 })),
        "{third:?}"
    );
    world.create(other, None).await;
    world.keys.revoke(owner, first.key.id).await.unwrap();
    world.create(owner, None).await;
}
