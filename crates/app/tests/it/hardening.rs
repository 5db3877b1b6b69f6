//! HTTP hardening: browser headers on every answer, a Content-Security-Policy on the
//! Swagger UI that still lets it load, token answers kept out of caches, and clients
//! that send their headers or their body too slowly cut off.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::harness::TestApp;

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |value| value.to_str().expect("a text header"))
}

#[tokio::test]
async fn every_answer_says_nosniff_and_no_referrer() {
    let app = TestApp::spawn().await;
    for path in [
        "/health",
        "/openapi.json",
        "/no/such/route",
        "/user/profile",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            "no-referrer",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_swagger_ui_has_a_policy_it_can_live_with() {
    let app = TestApp::spawn().await;
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), 200);
    let policy = header(&page, "content-security-policy").to_owned();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    let scripts_allowed = policy
        .split(';')
        .find(|directive| directive.trim().starts_with("script-src"))
        .expect("a script-src");
    assert!(!scripts_allowed.contains("unsafe-inline"), "{policy}");
    let html = page.text().await.expect("the page");
    // Every script of the page is a file of this origin: no inline one to be blocked.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        let (tag, rest) = script.split_once('>').expect("a script tag");
        assert!(tag.contains("src="), "an inline script: {script}");
        assert!(rest.trim_start().starts_with("</script>"), "{script}");
        let source = tag
            .split("src=\"")
            .nth(1)
            .and_then(|src| src.split('"').next())
            .expect("a quoted src");
        assert!(!source.contains("//"), "a script from elsewhere: {source}");
        let path = format!("/docs/{}", source.trim_start_matches("./"));
        assert_eq!(app.get(&path, None).await.status(), 200, "{source}");
    }
    // The document the UI fetches is on this origin (`connect-src 'self'`).
    let initializer = app.get("/docs/swagger-initializer.js", None).await;
    let initializer = initializer.text().await.expect("the initializer");
    assert!(initializer.contains("/openapi.json"), "{initializer}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
}

#[tokio::test]
async fn answers_carrying_tokens_or_keys_are_never_stored() {
    let app = TestApp::spawn().await;
    let credentials = json!({"username": "cache_me_not", "password": "correct horse battery"});
    assert_eq!(
        app.post("/register", None, &credentials).await.status(),
        201
    );
    let login = app.post("/login", None, &credentials).await;
    assert_eq!(login.status(), 200);
    assert_eq!(header(&login, "cache-control"), "no-store");
    let tokens: Value = login.json().await.expect("tokens");
    let refresh = json!({"refresh_token": tokens["refresh_token"]});
    let refreshed = app.post("/token/refresh", None, &refresh).await;
    assert_eq!(refreshed.status(), 200);
    assert_eq!(header(&refreshed, "cache-control"), "no-store");
    let access = tokens["access_token"].as_str().expect("an access token");
    let key = app
        .post("/user/api-keys", Some(access), &json!({"name": "script"}))
        .await;
    assert_eq!(key.status(), 201);
    assert_eq!(header(&key, "cache-control"), "no-store");
}

/// Sends `head` (and nothing more) on a fresh connection, then reads what the server
/// answers until it closes the connection; also how long that took.
async fn send_and_wait(app: &TestApp, head: &str) -> (String, Duration) {
    let address = app.address.trim_start_matches("http://");
    let mut connection = TcpStream::connect(address).await.expect("connect");
    connection
        .write_all(head.as_bytes())
        .await
        .expect("send the start of a request");
    let started = Instant::now();
    let mut answer = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(10), connection.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was still open after 10 s");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_client_sending_its_headers_slowly_is_cut() {
    let app = TestApp::spawn_with(&[("HTTP_REQUEST_TIMEOUT_MS", "1000")]).await;
    let (answer, waited) = send_and_wait(&app, "GET /health HTTP/1.1\r\nHost: x\r\n").await;
    assert!(waited < Duration::from_secs(3), "cut after {waited:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_client_sending_its_body_slowly_gets_408() {
    let app = TestApp::spawn_with(&[("HTTP_REQUEST_TIMEOUT_MS", "1000")]).await;
    let head = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
        Content-Length: 100\r\n\r\n{\"username\":";
    let (answer, waited) = send_and_wait(&app, head).await;
    assert!(waited < Duration::from_secs(3), "cut after {waited:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
}

fn deploy_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy")
        .join(name);
    std::fs::read_to_string(&path).expect("a deploy file")
}

#[test]
fn the_image_checks_its_health_and_ships_the_server_only() {
    let dockerfile = deploy_file("Dockerfile");
    let (_, runtime) = dockerfile.rsplit_once("\nFROM ").expect("a runtime stage");
    assert!(
        runtime.contains("HEALTHCHECK") && runtime.contains("\"polychat\", \"health\""),
        "{runtime}"
    );
    assert!(!dockerfile.contains("mock-upstream"), "{dockerfile}");
    let compose = deploy_file("docker-compose.yml");
    let (_, app) = compose.split_once("\n  app:\n").expect("the app service");
    let app = app.split("\n\n").next().expect("its block");
    assert!(app.contains("restart: unless-stopped"), "{app}");
    assert!(
        app.contains("test: [\"CMD\", \"polychat\", \"health\"]"),
        "{app}"
    );
}

#[test]
fn compose_keeps_redis_across_restarts() {
    let compose = deploy_file("docker-compose.yml");
    let (_, redis) = compose
        .split_once("\n  redis:\n")
        .expect("the redis service");
    let redis = redis.split("\n\n").next().expect("its block");
    for needed in [
        "\"--appendonly\", \"yes\"",
        "\"--maxmemory-policy\", \"noeviction\"",
        "redis:/data",
    ] {
        assert!(redis.contains(needed), "{needed} missing from\n{redis}");
    }
}
