//! Two instances of the app on one set of stores, as two replicas behind a load
//! balancer: what one replica learns, the other knows at once. Failed logins count
//! against one budget, a logout on one ends the session on both, a retried request
//! with the same `Idempotency-Key` is answered once, and a write through one replica
//! invalidates the history page the other one cached.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::accounts::support::{PASSWORD, Tokens, register, unique};
use crate::chat::support::{KEY, answer, status_cache_json, upstream_calls};
use crate::harness::{Replica, TestApp};

async fn login(replica: &Replica, username: &str, password: &str) -> reqwest::Response {
    let body = json!({"username": username, "password": password});
    replica
        .send(Method::POST, "/login", None, &[], Some(&body))
        .await
}

async fn status(replica: &Replica, path: &str, token: &str) -> u16 {
    let response = replica
        .send(Method::GET, path, Some(token), &[], None)
        .await;
    response.status().as_u16()
}

/// `GET /chat` on `replica`: status, `X-Cache` and the page.
async fn page(replica: &Replica, token: &str, chat: &str) -> (u16, String, Value) {
    let path = format!("/chat?chat_id={chat}");
    let response = replica
        .send(Method::GET, &path, Some(token), &[], None)
        .await;
    status_cache_json(response).await
}

/// `POST /chat` on `replica`, with headers; asserts 200 and returns the turn.
async fn turn(replica: &Replica, token: &str, headers: &[(&str, &str)], body: &Value) -> Value {
    let response = replica
        .send(Method::POST, "/chat", Some(token), headers, Some(body))
        .await;
    let status = response.status();
    let turn: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{turn}");
    turn
}

#[tokio::test]
async fn failed_logins_on_two_replicas_count_against_one_budget() {
    let app = TestApp::spawn().await;
    let (one, two) = (app.spawn_replica().await, app.spawn_replica().await);
    let username = unique("rita");
    register(&app, &username, None).await;
    // Five failures, the per-username budget, spread over both replicas.
    for attempt in 0..5 {
        let replica = if attempt % 2 == 0 { &one } else { &two };
        let response = login(replica, &username, "wrong password").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    for replica in [&one, &two] {
        assert_eq!(login(replica, &username, PASSWORD).await.status(), 429);
    }
}

#[tokio::test]
async fn a_logout_on_one_replica_ends_the_session_on_the_other() {
    let app = TestApp::spawn().await;
    let (one, two) = (app.spawn_replica().await, app.spawn_replica().await);
    let username = unique("sara");
    register(&app, &username, None).await;
    let response = login(&one, &username, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let tokens = Tokens::from_body(&response.json().await.unwrap());
    assert_eq!(status(&two, "/user/profile", &tokens.access).await, 200);

    let logout = two
        .send(
            Method::POST,
            "/logout",
            Some(&tokens.access),
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(logout.status(), 204);
    let logged_out = Instant::now();
    while status(&one, "/user/profile", &tokens.access).await != 401 {
        assert!(
            logged_out.elapsed() < Duration::from_secs(2),
            "the other replica still accepts the token"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refresh = json!({"refresh_token": tokens.refresh});
    let refreshed = one
        .send(Method::POST, "/token/refresh", None, &[], Some(&refresh))
        .await;
    assert_eq!(refreshed.status(), 401, "the refresh chain ends too");
}

#[tokio::test]
async fn a_retry_on_the_other_replica_gets_the_first_answer_and_writes_invalidate_its_cache() {
    let app = TestApp::spawn().await;
    let (one, two) = (app.spawn_replica().await, app.spawn_replica().await);
    answer(&app.upstream, "Tudo certo.", (10, 3)).await;
    let token = app.user(&unique("tina"), Some(KEY)).await;

    let body = json!({"prompt": "Bom dia!"});
    let retry = [("Idempotency-Key", "morning-1")];
    let first = turn(&one, &token, &retry, &body).await;
    let again = turn(&two, &token, &retry, &body).await;
    assert_eq!(first, again, "the retry replays the first answer");
    assert_eq!(
        upstream_calls(&app.upstream).await,
        1,
        "the model is called once"
    );

    let chat = first["chat_id"].as_str().expect("chat_id");
    assert_eq!(page(&one, &token, chat).await.1, "MISS");
    let (status, cache, cached) = page(&one, &token, chat).await;
    assert_eq!((status, cache.as_str()), (200, "HIT"));
    assert_eq!(cached["messages"].as_array().unwrap().len(), 2);

    let more = json!({"chat_id": chat, "prompt": "E amanhã?"});
    turn(&two, &token, &[], &more).await;
    let (status, cache, after) = page(&one, &token, chat).await;
    assert_eq!((status, cache.as_str()), (200, "MISS"), "{after}");
    assert_eq!(after["messages"].as_array().unwrap().len(), 4);
    assert_eq!(after["messages"][2]["content"], "E amanhã?");
}
