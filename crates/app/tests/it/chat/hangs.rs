//! Stores that accept connections and then stop answering (a [`Proxy`] that hangs):
//! every store call has a deadline, so a request needing the store is a 503 within a
//! few seconds instead of waiting for ever, and the model is never called for it.

use std::time::{Duration, Instant};

use serde_json::json;

use super::outages::{Proxy, authority, env_or, store_failures};
use super::support::{answer, code, history, new_chat, prompt, upstream_calls, user};
use crate::harness::TestApp;

/// Well above the 1 s deadlines these tests configure, well below the 5 s the stores'
/// other timeouts (pool acquisition, connection) would take.
const PROMPTLY: Duration = Duration::from_secs(4);

#[tokio::test]
async fn mongodb_hanging_is_503_within_the_deadline_before_any_model_call() {
    let mongo = env_or("MONGODB_URL", "mongodb://127.0.0.1:27017");
    let proxy = Proxy::start(authority(&mongo)).await;
    let url = format!("mongodb://127.0.0.1:{}/?directConnection=true", proxy.port);
    let app = TestApp::spawn_with(&[
        ("MONGODB_URL", url.as_str()),
        ("MONGODB_TIMEOUT_MS", "1000"),
    ])
    .await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let chat = new_chat(&app, &token, "Before the hang").await;
    let calls = upstream_calls(&app.upstream).await;

    proxy.hang();
    for body in [
        json!({"prompt": "A new chat during the hang"}),
        json!({"chat_id": chat, "prompt": "Still hanging"}),
        json!({"chat_id": chat, "prompt": "Stream it", "stream": true}),
    ] {
        let started = Instant::now();
        let (status, _, error) = prompt(&app, &token, &body).await;
        assert_eq!(status, 503, "{body}: {error}");
        let waited = started.elapsed();
        assert!(waited < PROMPTLY, "{body}: answered after {waited:?}");
    }
    assert_eq!(
        upstream_calls(&app.upstream).await,
        calls,
        "the model was called"
    );
    let started = Instant::now();
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status(), 503);
    assert!(started.elapsed() < PROMPTLY);
    let ready: serde_json::Value = ready.json().await.expect("readiness");
    assert_ne!(ready["mongodb"], "ok", "{ready}");
    assert!(
        store_failures(&app, "mongodb").await >= 3,
        "counted by store"
    );
}

/// `url` (`scheme://user:password@host:port/path`) pointing at `authority` instead.
fn through(url: &str, authority: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (credentials, rest) = rest.rsplit_once('@').map_or(("", rest), |(c, r)| (c, r));
    let path = rest.find(['/', '?']).map_or("", |at| &rest[at..]);
    let at = if credentials.is_empty() { "" } else { "@" };
    format!("{scheme}://{credentials}{at}{authority}{path}")
}

#[tokio::test]
async fn postgres_hanging_is_503_on_its_routes_and_named_by_ready() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let direct = app
        .settings
        .iter()
        .find(|(name, _)| name == "DATABASE_URL")
        .map(|(_, url)| url.clone())
        .expect("a database URL");
    let proxy = Proxy::start(authority(&direct)).await;
    let proxied = through(&direct, &format!("127.0.0.1:{}", proxy.port));
    let config = app.config_with(&[
        ("DATABASE_URL", proxied.as_str()),
        ("DATABASE_TIMEOUT_MS", "1000"),
    ]);
    let replica = TestApp::serve(&config).await;
    let client = reqwest::Client::new();
    let profile = format!("{replica}/user/profile");
    let before = client.get(&profile).bearer_auth(&token).send().await;
    assert_eq!(before.expect("profile").status(), 200);

    proxy.hang();
    for _ in 0..2 {
        let started = Instant::now();
        let response = client.get(&profile).bearer_auth(&token).send().await;
        let response = response.expect("profile");
        let waited = started.elapsed();
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = response.json().await.expect("an error body");
        assert_eq!(code(&body), "service_unavailable", "{body}");
        assert!(waited < PROMPTLY, "answered after {waited:?}");
    }
    let health = client.get(format!("{replica}/health")).send().await;
    assert_eq!(health.expect("health").status(), 200);
    let started = Instant::now();
    let ready = client.get(format!("{replica}/ready")).send().await;
    let ready = ready.expect("ready");
    assert_eq!(ready.status(), 503);
    assert!(started.elapsed() < PROMPTLY);
    let ready: serde_json::Value = ready.json().await.expect("readiness");
    assert_ne!(ready["postgres"], "ok", "{ready}");
    assert_eq!(ready["mongodb"], "ok", "{ready}");
}

#[tokio::test]
async fn redis_hanging_only_costs_the_cache() {
    let redis = env_or("REDIS_URL", "redis://127.0.0.1:6379");
    let proxy = Proxy::start(authority(&redis)).await;
    let url = format!("redis://127.0.0.1:{}", proxy.port);
    let app = TestApp::spawn_with(&[("REDIS_URL", url.as_str())]).await;
    let token = user(&app).await;
    answer(&app.upstream, "cached", (1, 1)).await;
    let chat = new_chat(&app, &token, "Cache this").await;
    let query = format!("chat_id={chat}");
    history(&app, &token, &query).await;
    assert_eq!(history(&app, &token, &query).await.1, "HIT");

    proxy.hang();
    let started = Instant::now();
    let (status, cache, body) = history(&app, &token, &query).await;
    assert_eq!((status, cache.as_str()), (200, "MISS"), "{body}");
    let (status, _, turn) = prompt(&app, &token, &json!({"chat_id": chat, "prompt": "More"})).await;
    assert_eq!(status, 200, "{turn}");
    let waited = started.elapsed();
    assert!(waited < 2 * PROMPTLY, "answered after {waited:?}");
    assert!(store_failures(&app, "redis").await >= 1, "counted by store");
}
