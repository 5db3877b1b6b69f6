//! Personal API keys over HTTP: minted, listed and revoked with a login token; a key
//! authenticates like an access token except where a login token is needed (403);
//! expiry and revocation take effect at once, on every replica; the key itself shows
//! up only in the response that created it.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::leaks::logs;
use super::support::{PASSWORD, database, error, login, put_profile, refresh, tokens, unique};
use crate::harness::TestApp;

/// A registered user's login tokens.
async fn user(app: &TestApp) -> (String, super::support::Tokens) {
    let name = unique("keys");
    super::support::register(app, &name, None).await;
    let tokens = tokens(app, &name).await;
    (name, tokens)
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// Mints a key with `token` and returns the whole 201 body.
async fn create_key(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app.post("/user/api-keys", Some(token), body).await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("key body")
}

fn key_of(created: &Value) -> &str {
    created["key"].as_str().expect("key")
}

async fn profile_status(app: &TestApp, token: &str) -> u16 {
    app.get("/user/profile", Some(token))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_key_is_shown_once_listed_without_it_and_authenticates_like_a_token() {
    let app = TestApp::spawn().await;
    let (_, tokens) = user(&app).await;
    let created = create_key(
        &app,
        &tokens.access,
        &json!({"name": "  n8n  ", "expires_in_days": 30}),
    )
    .await;
    let key = key_of(&created);
    assert!(key.starts_with("pc_") && key.len() == 46, "{key}");
    assert_eq!(created["prefix"], key[..8]);
    assert_eq!(created["name"], "n8n");
    assert!(created["last_used_at"].is_null());
    let created_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["created_at"].clone()).unwrap();
    let expires_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["expires_at"].clone()).unwrap();
    assert_eq!(expires_at - created_at, chrono::TimeDelta::days(30));
    let forever = create_key(&app, &tokens.access, &json!({"name": "forever"})).await;
    assert!(forever["expires_at"].is_null());

    let me: Value = app
        .get("/user/profile", Some(&tokens.access))
        .await
        .json()
        .await
        .unwrap();
    let with_key = app.get("/user/profile", Some(key)).await;
    assert_eq!(with_key.status(), 200);
    assert_eq!(with_key.json::<Value>().await.unwrap()["id"], me["id"]);
    let preferences = app.get("/user/preferences", Some(key)).await;
    assert_eq!(preferences.status(), 200);

    let listed = app.get("/user/api-keys", Some(&tokens.access)).await;
    assert_eq!(listed.status(), 200);
    let text = listed.text().await.unwrap();
    assert!(!text.contains(&key[8..]), "the list shows no key: {text}");
    let listed: Value = serde_json::from_str(&text).unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], forever["id"], "newest first");
    let listed_key = &items[1];
    assert_eq!(listed_key["id"], created["id"]);
    assert_eq!(listed_key["prefix"], created["prefix"]);
    assert!(listed_key.get("key").is_none());

    // The use is recorded after the response.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let listed: Value = app
            .get("/user/api-keys", Some(&tokens.access))
            .await
            .json()
            .await
            .unwrap();
        if !listed["items"][1]["last_used_at"].is_null() {
            break;
        }
        assert!(Instant::now() < deadline, "last_used_at never set");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn names_and_lifetimes_are_validated_naming_the_field() {
    let app = TestApp::spawn().await;
    let (_, tokens) = user(&app).await;
    let long = "k".repeat(65);
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": long}), "name"),
        (json!({"name": 5}), "name"),
        (
            json!({"name": "ok", "expires_in_days": 0}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": -1}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": 3651}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": 1.5}),
            "expires_in_days",
        ),
        (
            json!({"name": "ok", "expires_in_days": "30"}),
            "expires_in_days",
        ),
    ] {
        let response = app
            .post("/user/api-keys", Some(&tokens.access), &body)
            .await;
        let (status, code, message) = error(response).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{body}"
        );
        assert!(message.contains(field), "{body}: {message}");
    }
    let edge = json!({"name": "k".repeat(64), "expires_in_days": 3650, "unknown": true});
    create_key(&app, &tokens.access, &edge).await;
    let listed: Value = app
        .get("/user/api-keys", Some(&tokens.access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_users_key_is_not_found_and_a_revoked_key_stops_working() {
    let app = TestApp::spawn().await;
    let (_, alice) = user(&app).await;
    let (_, bob) = user(&app).await;
    let created = create_key(&app, &alice.access, &json!({"name": "alice's"})).await;
    let (key, id) = (key_of(&created), created["id"].as_str().unwrap());
    let path = format!("/user/api-keys/{id}");

    let theirs = send(&app, Method::DELETE, &path, &bob.access, None).await;
    let (status, code, _) = error(theirs).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let missing = format!("/user/api-keys/{}", uuid::Uuid::new_v4());
    let (status, _, _) =
        error(send(&app, Method::DELETE, &missing, &alice.access, None).await).await;
    assert_eq!(status, 404);
    let garbage = send(
        &app,
        Method::DELETE,
        "/user/api-keys/nope",
        &alice.access,
        None,
    )
    .await;
    assert_eq!(error(garbage).await.0, 404);
    let bobs: Value = app
        .get("/user/api-keys", Some(&bob.access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bobs["items"], json!([]), "bob sees none of alice's keys");
    assert_eq!(profile_status(&app, key).await, 200, "still works");

    let revoked = send(&app, Method::DELETE, &path, &alice.access, None).await;
    assert_eq!(revoked.status(), 204);
    let (status, code, _) = error(app.get("/user/profile", Some(key)).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    let again = send(&app, Method::DELETE, &path, &alice.access, None).await;
    assert_eq!(again.status(), 404);
    let unknown = format!("pc_{}", "A".repeat(43));
    assert_eq!(profile_status(&app, &unknown).await, 401);
}

#[tokio::test]
async fn a_key_cannot_manage_keys_log_out_refresh_or_change_the_password() {
    let app = TestApp::spawn().await;
    let (name, tokens) = user(&app).await;
    let created = create_key(&app, &tokens.access, &json!({"name": "script"})).await;
    let (key, id) = (key_of(&created), created["id"].as_str().unwrap());
    let forbidden = |response: reqwest::Response| async move {
        let (status, code, _) = error(response).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"));
    };

    forbidden(
        app.post("/user/api-keys", Some(key), &json!({"name": "more"}))
            .await,
    )
    .await;
    forbidden(app.post("/user/api-keys", Some(key), &json!({})).await).await;
    forbidden(app.get("/user/api-keys", Some(key)).await).await;
    let path = format!("/user/api-keys/{id}");
    forbidden(send(&app, Method::DELETE, &path, key, None).await).await;
    forbidden(app.post("/logout", Some(key), &json!({})).await).await;
    let with_key = app
        .post(
            "/token/refresh",
            Some(key),
            &json!({"refresh_token": tokens.refresh}),
        )
        .await;
    forbidden(with_key).await;
    forbidden(app.post("/token/refresh", Some(key), &json!({})).await).await;
    forbidden(refresh(&app, key).await).await;
    let change = json!({"current_password": PASSWORD, "new_password": "another good password"});
    forbidden(put_profile(&app, key, &change).await).await;

    // Nothing was done: the key, the session and the password all still work.
    assert_eq!(profile_status(&app, key).await, 200);
    assert_eq!(profile_status(&app, &tokens.access).await, 200);
    assert_eq!(login(&app, &name, PASSWORD).await.status(), 200);
    assert_eq!(refresh(&app, &tokens.refresh).await.status(), 200);
    // Other profile changes are fine with a key.
    let renamed = put_profile(&app, key, &json!({"display_name": "Via Key"})).await;
    assert_eq!(renamed.status(), 200);
}

#[tokio::test]
async fn an_expired_key_is_refused() {
    let app = TestApp::spawn().await;
    let (_, tokens) = user(&app).await;
    let created = create_key(
        &app,
        &tokens.access,
        &json!({"name": "short", "expires_in_days": 1}),
    )
    .await;
    let key = key_of(&created);
    assert_eq!(profile_status(&app, key).await, 200);
    let mut conn = database(&app).await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut conn,
        &format!(
            "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = '{}'",
            created["id"].as_str().unwrap()
        ),
    )
    .await
    .expect("expire the key");
    let (status, code, _) = error(app.get("/user/profile", Some(key)).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
}

#[tokio::test]
async fn revocation_holds_on_every_replica_at_once() {
    let app = TestApp::spawn().await;
    let replica = app.spawn_replica().await;
    let (_, tokens) = user(&app).await;
    let created = create_key(&app, &tokens.access, &json!({"name": "shared"})).await;
    let key = key_of(&created);
    let on_replica = || async {
        let response = app
            .client
            .get(replica.url("/user/profile"))
            .bearer_auth(key)
            .send()
            .await
            .expect("request");
        response.status().as_u16()
    };
    assert_eq!(
        on_replica().await,
        200,
        "a key minted on one replica works on another"
    );

    let path = format!("/user/api-keys/{}", created["id"].as_str().unwrap());
    let revoked_at = Instant::now();
    assert_eq!(
        send(&app, Method::DELETE, &path, &tokens.access, None)
            .await
            .status(),
        204
    );
    while on_replica().await != 401 {
        assert!(
            revoked_at.elapsed() < Duration::from_secs(2),
            "the other replica still accepts the revoked key"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(profile_status(&app, key).await, 401);
}

#[tokio::test]
async fn the_key_never_reaches_a_log_line() {
    logs();
    let app = TestApp::spawn().await;
    let (_, tokens) = user(&app).await;
    let created = create_key(&app, &tokens.access, &json!({"name": "logged?"})).await;
    let key = key_of(&created).to_owned();
    app.get("/user/profile", Some(&key)).await;
    app.get("/user/api-keys", Some(&key)).await;
    app.post("/logout", Some(&key), &json!({})).await;
    refresh(&app, &key).await;
    app.get("/user/profile", Some(&format!("{key}x"))).await;
    let path = format!("/user/api-keys/{}", created["id"].as_str().unwrap());
    send(&app, Method::DELETE, &path, &tokens.access, None).await;
    app.get("/user/profile", Some(&key)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let logs = logs();
    assert!(
        logs.contains(&created["prefix"].as_str().unwrap().to_owned()),
        "the prefix is logged"
    );
    // Everything after the prefix is the secret part.
    if let Some(at) = logs.find(&key[8..]) {
        let line = logs[..at].rsplit('\n').next().unwrap_or_default();
        panic!("a log line carries the key: {line}…");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_keys_and_the_403s() {
    let app = TestApp::spawn().await;
    let spec: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let paths = &spec["paths"];
    for (path, method, statuses) in [
        ("/user/api-keys", "post", &["201", "401", "403", "422"][..]),
        ("/user/api-keys", "get", &["200", "401", "403"][..]),
        (
            "/user/api-keys/{id}",
            "delete",
            &["204", "401", "403", "404"][..],
        ),
        ("/logout", "post", &["403"][..]),
        ("/token/refresh", "post", &["403"][..]),
        ("/user/profile", "put", &["403"][..]),
    ] {
        let responses = &paths[path][method]["responses"];
        for status in statuses {
            assert!(
                responses[status].is_object(),
                "{method} {path} documents {status}: {responses}"
            );
        }
    }
}
