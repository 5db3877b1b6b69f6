//! A whole polychat per test: the real app on port 0, wired to the real PostgreSQL
//! (a fresh database), MongoDB-compatible server (a fresh database), Redis (a fresh key
//! prefix) and embeddings server, with the LLM upstream played by wiremock. Everything
//! the app stored is removed when the `TestApp` goes, even if the test panicked.

use std::time::Duration;

use base64::Engine as _;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use fred::prelude::*;
use polychat_app::config::{AppConfig, Source};
use polychat_app::server::Application;
use polychat_app::wiring;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::MockServer;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn database_url() -> String {
    env_or(
        "DATABASE_URL",
        "postgres://polychat:polychat@127.0.0.1:5432/polychat",
    )
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let start = base.find("://").map_or(0, |i| i + 3);
    let path = base[start..].find('/').map_or(base.len(), |i| start + i);
    let mut out = format!("{}/{database}", &base[..path]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

async fn admin_sql(sql: &str) {
    let mut admin = AsyncPgConnection::establish(&database_url())
        .await
        .expect("connect to PostgreSQL");
    admin.batch_execute(sql).await.expect(sql);
}

/// OpenRouter's key check, as the upstream answers it.
pub(crate) const KEY_CHECK: &str = "/api/v1/key";

/// The upstream knows every key, unless a test mounts an answer of its own for
/// [`KEY_CHECK`] (any mount of the default priority comes first).
async fn knows_every_key(upstream: &MockServer) {
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(KEY_CHECK))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
            "data": {"label": "test", "usage": 0, "limit": null, "is_free_tier": false}
        })))
        .with_priority(u8::MAX)
        .mount(upstream)
        .await;
}

/// A running app and the outside world it talks to.
pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) client: reqwest::Client,
    /// Plays OpenRouter.
    pub(crate) upstream: MockServer,
    pub(crate) pg_database: String,
    pub(crate) mongo_database: String,
    pub(crate) redis_prefix: String,
    /// The configuration the app was started with (secrets included, for tests only).
    pub(crate) settings: Vec<(String, String)>,
}

/// Extra or replaced configuration for one test.
pub(crate) type Overrides<'a> = &'a [(&'a str, &'a str)];

impl TestApp {
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub(crate) async fn spawn_with(overrides: Overrides<'_>) -> Self {
        let id = Uuid::new_v4().simple().to_string();
        let pg_database = format!("polychat_apptest_{id}");
        admin_sql(&format!("CREATE DATABASE {pg_database}")).await;
        let upstream = MockServer::start().await;
        knows_every_key(&upstream).await;
        let master_key = new_master_key();
        let mut settings: Vec<(String, String)> = vec![
            ("HTTP_ADDR".into(), "127.0.0.1:0".into()),
            (
                "DATABASE_URL".into(),
                with_database(&database_url(), &pg_database),
            ),
            ("DATABASE_MAX_CONNECTIONS".into(), "8".into()),
            (
                "MONGODB_URL".into(),
                env_or("MONGODB_URL", "mongodb://127.0.0.1:27017"),
            ),
            ("MONGODB_DATABASE".into(), format!("polychat_apptest_{id}")),
            (
                "REDIS_URL".into(),
                env_or("REDIS_URL", "redis://127.0.0.1:6379"),
            ),
            ("REDIS_KEY_PREFIX".into(), format!("apptest:{id}")),
            (
                "OPENROUTER_BASE_URL".into(),
                format!("{}/api/v1", upstream.uri()),
            ),
            (
                "EMBEDDINGS_BASE_URL".into(),
                env_or("EMBEDDINGS_BASE_URL", "http://127.0.0.1:8001/v1"),
            ),
            ("APP_MASTER_KEY".into(), master_key),
            ("JWT_SECRET".into(), format!("test-secret-{id}-{id}")),
            ("BCRYPT_COST".into(), "4".into()),
            ("ALLOW_WEAK_PASSWORD_HASHING".into(), "true".into()),
            ("LLM_TIMEOUT_SECONDS".into(), "5".into()),
            // The whole suite shares one embeddings server on two busy cores; the
            // recall deadline is tested on its own (memory::pressure).
            ("RECALL_TIMEOUT_MS".into(), "5000".into()),
        ];
        for (name, value) in overrides {
            settings.retain(|(n, _)| n != name);
            settings.push(((*name).to_owned(), (*value).to_owned()));
        }
        let mongo_database = format!("polychat_apptest_{id}");
        let redis_prefix = format!("apptest:{id}:");
        let mut app = Self {
            address: String::new(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            upstream,
            pg_database,
            mongo_database,
            redis_prefix,
            settings,
        };
        wiring::migrate(&app.config()).await.expect("migrate");
        app.address = app.start_server().await;
        app
    }

    /// Starts a server with this app's configuration and returns its base URL.
    async fn start_server(&self) -> String {
        Self::serve(&self.config()).await
    }

    /// Serves the app with `config` (e.g. [`Self::config_with`]) next to this one,
    /// until the test ends; its base URL.
    pub(crate) async fn serve(config: &AppConfig) -> String {
        let state = wiring::build_state(config, tokio::runtime::Handle::current())
            .await
            .expect("wire the app");
        let listener = std::net::TcpListener::bind(config.server.addr).expect("bind");
        let server = Application::build(listener, config.server.workers, state).expect("serve");
        let port = server.port();
        tokio::spawn(server.run_until_stopped());
        format!("http://127.0.0.1:{port}")
    }

    /// A second instance of this app on the same stores (database, collections, Redis
    /// prefix, secrets), as another replica behind a load balancer would be. It runs
    /// until the test ends; the stores are cleaned up by this `TestApp`.
    pub(crate) async fn spawn_replica(&self) -> Replica {
        Replica {
            address: self.start_server().await,
            client: self.client.clone(),
        }
    }

    /// The configuration as the app parsed it.
    pub(crate) fn config(&self) -> AppConfig {
        self.config_with(&[])
    }

    /// This app's configuration with some settings replaced.
    pub(crate) fn config_with(&self, replaced: &[(&str, &str)]) -> AppConfig {
        let mut settings = self.settings.clone();
        settings.retain(|(name, _)| !replaced.iter().any(|(n, _)| n == name));
        settings.extend(
            replaced
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
        );
        AppConfig::load(&Source::from_pairs(
            settings.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
        .expect("test configuration")
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// This app's MongoDB database, to look at or change what is stored.
    pub(crate) async fn mongo(&self) -> mongodb::Database {
        let url = env_or("MONGODB_URL", "mongodb://127.0.0.1:27017");
        let client = mongodb::Client::with_uri_str(url)
            .await
            .expect("mongo client");
        client.database(&self.mongo_database)
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// Any request, with a JSON body when given.
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    /// Registers `username`, makes it an admin the way an operator does (`polychat
    /// admin grant`), and logs in; returns the access token.
    pub(crate) async fn admin(&self, username: &str) -> String {
        let token = self.user(username, None).await;
        wiring::set_role(
            &self.config(),
            username,
            polychat_domain::AccountRole::Admin,
        )
        .await
        .expect("admin grant");
        token
    }

    /// Registers `username` (with an OpenRouter key when given) and logs in; returns
    /// the access token.
    pub(crate) async fn user(&self, username: &str, openrouter_key: Option<&str>) -> String {
        let mut body = json!({"username": username, "password": "correct horse battery"});
        if let Some(key) = openrouter_key {
            body["openrouter_api_key"] = json!(key);
        }
        let registered = self.post("/register", None, &body).await;
        assert_eq!(registered.status(), 201, "register {username}");
        let login = self
            .post(
                "/login",
                None,
                &json!({"username": username, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(login.status(), 200, "login {username}");
        let tokens: Value = login.json().await.expect("token body");
        tokens["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }
}

/// Another instance of a [`TestApp`], sharing its stores.
pub(crate) struct Replica {
    pub(crate) address: String,
    client: reqwest::Client,
}

impl Replica {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request to this replica, with a bearer token and headers when given.
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }
}

/// A fresh `APP_MASTER_KEY` (32 random bytes, base64).
pub(crate) fn new_master_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(rand_bytes())
}

fn rand_bytes() -> [u8; 32] {
    let mut bytes = [0_u8; 32];
    for (i, chunk) in bytes.chunks_mut(16).enumerate() {
        let id = Uuid::new_v4();
        chunk.copy_from_slice(&id.as_bytes()[..16]);
        chunk[0] ^= u8::try_from(i).unwrap_or(0);
    }
    bytes
}

async fn cleanup(pg_database: String, mongo_database: String, redis_prefix: String) {
    admin_sql(&format!(
        "DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)"
    ))
    .await;
    if let Ok(client) =
        mongodb::Client::with_uri_str(env_or("MONGODB_URL", "mongodb://127.0.0.1:27017")).await
    {
        let _ = client.database(&mongo_database).drop().await;
    }
    let config =
        Config::from_url(&env_or("REDIS_URL", "redis://127.0.0.1:6379")).expect("redis url");
    let redis = Builder::from_config(config).build().expect("redis client");
    if redis.init().await.is_ok() {
        let keys: Vec<String> = redis
            .custom(
                fred::types::CustomCommand::new_static(
                    "KEYS",
                    fred::types::ClusterHash::FirstKey,
                    false,
                ),
                vec![format!("{redis_prefix}*")],
            )
            .await
            .unwrap_or_default();
        for key in keys {
            let _: Result<i64, _> = redis.del(key).await;
        }
        let _ = redis.quit().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let names = (
            self.pg_database.clone(),
            self.mongo_database.clone(),
            self.redis_prefix.clone(),
        );
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(cleanup(names.0, names.1, names.2));
        })
        .join();
    }
}
