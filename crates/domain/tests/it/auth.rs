//! Use-case tests of the auth service over the testkit fakes: sessions (login,
//! throttling, refresh rotation, replay, logout), registration and profile rules, and
//! the stored OpenRouter key (sealing, rotation of the master key).

mod keys;
mod profile;
mod sessions;

use std::sync::Arc;

use polychat_domain::User;
use polychat_domain::ports::{Clock, SecretCipher, TokenPair, UserRepository};
use polychat_domain::services::auth::{AuthPorts, AuthService, LoginPolicy, Registration};
use polychat_testkit::clock::ManualClock;
use polychat_testkit::denylist::InMemoryDenylist;
use polychat_testkit::limits::InMemoryRateLimiter;
use polychat_testkit::llm::FakeKeyCheck;
use polychat_testkit::security::{FakeCipher, FakeTokens, PlainHasher};
use polychat_testkit::stamps::InMemoryStamps;
use polychat_testkit::users::InMemoryUsers;
use secrecy::{ExposeSecret, SecretString};

pub(crate) const PASSWORD: &str = "correct horse battery";
pub(crate) const ADDRESS: &str = "203.0.113.7";

/// An auth service over fakes, with handles on the fakes a test pokes at.
pub(crate) struct World {
    pub(crate) auth: AuthService,
    pub(crate) users: Arc<InMemoryUsers>,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) limiter: Arc<InMemoryRateLimiter>,
    pub(crate) denylist: Arc<InMemoryDenylist>,
    pub(crate) key_check: Arc<FakeKeyCheck>,
}

impl World {
    pub(crate) fn new() -> Self {
        Self::with_cipher(FakeCipher::default())
    }

    pub(crate) fn with_cipher(cipher: FakeCipher) -> Self {
        let clock = Arc::new(ManualClock::default());
        Self::sharing(Arc::new(InMemoryUsers::new()), clock, cipher)
    }

    /// A second service over the same users (e.g. after the master key changed).
    pub(crate) fn sharing(
        users: Arc<InMemoryUsers>,
        clock: Arc<ManualClock>,
        cipher: FakeCipher,
    ) -> Self {
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let limiter = Arc::new(InMemoryRateLimiter::new(dyn_clock.clone()));
        let denylist = Arc::new(InMemoryDenylist::new(dyn_clock.clone()));
        let key_check = Arc::new(FakeKeyCheck::default());
        let auth = AuthService::new(
            AuthPorts {
                users: users.clone(),
                hasher: Arc::new(PlainHasher),
                tokens: Arc::new(FakeTokens::new(dyn_clock.clone())),
                denylist: denylist.clone(),
                sessions: Arc::new(polychat_testkit::sessions::InMemorySessions::new()),
                cipher: Arc::new(cipher) as Arc<dyn SecretCipher>,
                key_check: key_check.clone(),
                telemetry: Arc::new(polychat_testkit::telemetry::RecordedTelemetry::default()),
                limiter: limiter.clone(),
                stamps: Arc::new(InMemoryStamps::new()),
                clock: dyn_clock,
            },
            LoginPolicy::default(),
        );
        Self {
            auth,
            users,
            clock,
            limiter,
            denylist,
            key_check,
        }
    }

    pub(crate) async fn register(&self, username: &str, key: Option<&str>) -> User {
        self.auth
            .register(registration(username, PASSWORD, key))
            .await
            .expect("register")
            .user
    }

    pub(crate) async fn login(&self, username: &str) -> TokenPair {
        self.auth
            .login(username, PASSWORD, ADDRESS)
            .await
            .expect("login")
    }

    pub(crate) async fn stored(&self, user: &User) -> User {
        self.users
            .find_by_id(user.id)
            .await
            .expect("find")
            .expect("user exists")
    }
}

pub(crate) fn registration(username: &str, password: &str, key: Option<&str>) -> Registration {
    Registration {
        username: username.to_owned(),
        password: SecretString::from(password),
        display_name: None,
        openrouter_api_key: key.map(SecretString::from),
    }
}

pub(crate) fn access(pair: &TokenPair) -> &str {
    pair.access_token.expose_secret()
}

pub(crate) fn refresh(pair: &TokenPair) -> &str {
    pair.refresh_token.expose_secret()
}
