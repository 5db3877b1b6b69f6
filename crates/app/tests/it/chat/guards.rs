//! Retries and limits on prompts: `Idempotency-Key` and the per-user rate limit.

use serde_json::{Value, json};

use super::support::{answer, code, upstream_calls, user};
use crate::harness::TestApp;

async fn keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/chat"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("POST /chat");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_without_a_model_call() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "Only once.", (3, 2)).await;
    let body = json!({"prompt": "Answer me once"});

    let (status, first) = keyed(&app, &token, "key-1", &body).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = keyed(&app, &token, "key-1", &body).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(first, second);
    assert_eq!(upstream_calls(&app.upstream).await, 1);

    let chat = first["chat_id"].as_str().unwrap();
    let (_, _, stored) = super::support::history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(stored["messages"].as_array().unwrap().len(), 2, "{stored}");
    let listed: Value = app.get("/chats", Some(&token)).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let (status, reused) = keyed(&app, &token, "key-1", &json!({"prompt": "Another"})).await;
    assert_eq!((status, code(&reused)), (422, "idempotency_key_reused"));
    assert_eq!(upstream_calls(&app.upstream).await, 1);

    // Keys belong to their user: another user's identical key is a new request.
    let other = user(&app).await;
    let (status, theirs) = keyed(&app, &other, "key-1", &body).await;
    assert_eq!(status, 200);
    assert_ne!(theirs["chat_id"], first["chat_id"]);
    assert_eq!(upstream_calls(&app.upstream).await, 2);
}

#[tokio::test]
async fn a_failed_request_frees_its_key_for_a_retry() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let failing = wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(
            wiremock::ResponseTemplate::new(402)
                .set_body_json(json!({"error": {"code": 402, "message": "no credits"}})),
        )
        .up_to_n_times(1)
        .mount_as_scoped(&app.upstream)
        .await;
    let body = json!({"prompt": "Retry me"});
    let (status, _) = keyed(&app, &token, "key-2", &body).await;
    assert_eq!(status, 402);
    drop(failing);
    answer(&app.upstream, "Second time lucky.", (1, 1)).await;
    let (status, turn) = keyed(&app, &token, "key-2", &body).await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["message"]["content"], "Second time lucky.");
}

#[tokio::test]
async fn a_streamed_retry_with_the_same_key_replays_the_turn() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let body = super::support::sse_body(&["Stre", "amed"], (2, 2));
    super::support::answer_stream(&app.upstream, body).await;
    let request = json!({"prompt": "Stream once", "stream": true});

    let send = || {
        app.client
            .post(app.url("/chat"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "stream-key")
            .json(&request)
            .send()
    };
    let first = super::support::parse_events(&send().await.unwrap().text().await.unwrap());
    let second = super::support::parse_events(&send().await.unwrap().text().await.unwrap());
    let done = |events: &[super::support::Event]| events.last().unwrap().data.clone();
    assert_eq!(first.last().unwrap().name, "done");
    assert_eq!(second.last().unwrap().name, "done");
    assert_eq!(done(&first), done(&second));
    assert_eq!(upstream_calls(&app.upstream).await, 1);
}

#[tokio::test]
async fn too_many_prompts_are_429_with_retry_after() {
    let app = TestApp::spawn().await;
    // Without an OpenRouter key each prompt stops right after the rate check, so the
    // quota is used up quickly and no model is called.
    let token = app.user("chatty", None).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let body = json!({"prompt": "again"});
    // A burst of 60, refilled at one a second: on a slow machine the burst takes a
    // while, and each second it takes lets one more prompt through.
    let started = std::time::Instant::now();
    let mut passed = 0_u64;
    let (headers, error) = loop {
        let (status, headers, error) = super::support::prompt(&app, &token, &body).await;
        if status == 429 {
            break (headers, error);
        }
        assert_eq!(
            (status, code(&error)),
            (400, "openrouter_key_missing"),
            "#{passed}"
        );
        passed += 1;
        assert!(
            passed <= 61 + started.elapsed().as_secs(),
            "no limit after {passed} prompts"
        );
    };
    assert!(passed >= 60, "limited after only {passed} prompts");
    assert_eq!(code(&error), "rate_limited", "{error}");
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // The limit is per user.
    let other = user(&app).await;
    assert_eq!(super::support::prompt(&app, &other, &body).await.0, 200);
    assert_eq!(upstream_calls(&app.upstream).await, 1);
}
