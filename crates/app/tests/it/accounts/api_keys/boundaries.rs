//! Where a personal API key stops: what needs a login token (403), expiry, revocation
//! seen by another replica, and the logs, which carry the prefix but never the key.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::{create_key, key_of, profile_status, send, user};
use crate::accounts::leaks::logs;
use crate::accounts::support::{PASSWORD, database, error, login, put_profile, refresh};
use crate::harness::TestApp;

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
    // Expired in the database before its first use: no replica remembers it yet (a key
    // it remembers is checked against the expiry it read, see the domain's tests).
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
