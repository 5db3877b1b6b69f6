//! `GET /metrics`: Prometheus text with every family the operator needs, behind
//! `METRICS_TOKEN` when it is set, and never a user id, a chat id or a raw path in a
//! label.

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::chat::support::{COMPLETIONS, answer, sse_body, user};
use crate::harness::TestApp;

const TOKEN: &str = "scrape-me-0123456789";

/// The value of the whole-number series `series` (name and labels exactly as exposed).
fn value(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no series {series} in\n{text}"))
        .parse()
        .expect("a whole number")
}

/// A series and the least (`false`) or exact (`true`) value it must have.
const EXPECTED: &[(&str, u64, bool)] = &[
    (
        r#"polychat_http_requests_total{method="POST",route="/chat",status="2xx"}"#,
        2,
        false,
    ),
    (
        r#"polychat_http_requests_total{method="GET",route="unmatched",status="4xx"}"#,
        1,
        false,
    ),
    (
        r#"polychat_http_request_duration_seconds_count{method="POST",route="/chat"}"#,
        2,
        false,
    ),
    (
        r#"polychat_model_call_duration_seconds_count{outcome="ok",provider="openrouter"}"#,
        2,
        true,
    ),
    (
        r#"polychat_time_to_first_token_seconds_count{provider="openrouter"}"#,
        1,
        true,
    ),
    (
        r#"polychat_tokens_total{kind="prompt",provider="openrouter"}"#,
        18,
        true,
    ),
    (
        r#"polychat_tokens_total{kind="completion",provider="openrouter"}"#,
        5,
        true,
    ),
    (
        r#"polychat_history_cache_lookups_total{result="hit"}"#,
        1,
        false,
    ),
    (
        r#"polychat_history_cache_lookups_total{result="miss"}"#,
        1,
        false,
    ),
    (r#"polychat_rate_limited_total{budget="chat"}"#, 0, true),
    (
        r#"polychat_store_failures_total{failure="unavailable",store="postgres"}"#,
        0,
        true,
    ),
    (
        r#"polychat_store_failures_total{failure="timeout",store="redis"}"#,
        0,
        true,
    ),
    ("polychat_streams_in_flight", 0, true),
    ("polychat_background_tasks", 0, false),
];

#[tokio::test]
async fn a_scrape_shows_every_family_behind_the_token() {
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", TOKEN)]).await;
    let (token, chat) = traffic(&app).await;

    assert_eq!(app.get("/metrics", None).await.status(), 401);
    assert_eq!(
        app.get("/metrics", Some("not-the-token")).await.status(),
        401
    );
    let scrape = app.get("/metrics", Some(TOKEN)).await;
    assert_eq!(scrape.status(), 200);
    let kind = scrape.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = scrape.text().await.unwrap();
    for (series, expected, exact) in EXPECTED {
        let got = value(&text, series);
        if *exact {
            assert_eq!(got, *expected, "{series}");
        } else {
            assert!(got >= *expected, "{series}: {got}");
        }
    }
    // The custom models' families show once a model fell back or opened its circuit
    // (custom_models::failures checks them, the metrics module's unit tests too).
    let profile: Value = app
        .get("/user/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let user_id = profile["id"].as_str().unwrap();
    assert!(
        !text.contains(&chat) && !text.contains(user_id),
        "ids leaked into labels"
    );
    assert!(
        !text.contains("/no/such/route"),
        "raw paths leaked into labels"
    );
}

#[tokio::test]
async fn without_a_token_configured_the_metrics_are_open() {
    let app = TestApp::spawn().await;
    app.get("/health", None).await;
    let scrape = app.get("/metrics", None).await;
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.unwrap();
    let health = r#"polychat_http_requests_total{method="GET",route="/health",status="2xx"} 1"#;
    assert!(text.lines().any(|line| line == health), "{text}");
}

/// A whole turn (11 + 3 tokens), a streamed one in the same chat (7 + 2), two reads of
/// it and a path no route takes; returns the user's token and the chat id.
async fn traffic(app: &TestApp) -> (String, String) {
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .and(body_partial_json(json!({"stream": true})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sse_body(&["Olá", "!"], (7, 2)), "text/event-stream"),
        )
        .with_priority(1)
        .mount(&app.upstream)
        .await;
    answer(&app.upstream, "Resposta inteira.", (11, 3)).await;
    let token = user(app).await;
    let whole = app
        .post("/chat", Some(&token), &json!({"prompt": "Oi"}))
        .await;
    assert_eq!(whole.status(), 200);
    let turn: Value = whole.json().await.expect("turn");
    let chat = turn["chat_id"].as_str().expect("chat_id").to_owned();
    let again = json!({"prompt": "De novo", "chat_id": chat, "stream": true});
    let streamed = app.post("/chat", Some(&token), &again).await;
    assert_eq!(streamed.status(), 200);
    streamed.text().await.expect("the whole stream");
    for _ in 0..2 {
        let read = app
            .get(&format!("/chat?chat_id={chat}"), Some(&token))
            .await;
        assert_eq!(read.status(), 200);
    }
    app.get("/no/such/route/123", None).await;
    (token, chat)
}
