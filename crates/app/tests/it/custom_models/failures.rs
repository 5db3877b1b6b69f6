//! Whole-app tests of failing webhooks: the fallback named (in the answer, the
//! `X-Polychat-Fallback` header and every chunk), 502/504 without one, and the admin's
//! test call reporting the webhook's status.

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{app, create, json_of, model_body, n8n_answering};
use crate::chat::support::{
    COMPLETIONS, KEY, answer, code, parse_events, sse_body, upstream_calls,
};
use crate::harness::TestApp;

#[tokio::test]
async fn a_failing_webhook_hands_over_to_its_fallback_or_fails_as_the_contract_says() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(500).set_body_string("boom"),
    )
    .await;
    answer(&app.upstream, "Resposta do fallback", (5, 2)).await;
    let admin = app.admin("fb_admin").await;
    let mut with_fallback = model_body(&n8n, "flaky");
    with_fallback["fallback_model"] = json!("openai/gpt-4o-mini");
    create(&app, &admin, &with_fallback).await;
    create(&app, &admin, &model_body(&n8n, "lonely")).await;
    let user = app.user("fb_user", Some(KEY)).await;

    let ask =
        |model: &str| json!({"model": model, "messages": [{"role": "user", "content": "Oi"}]});
    let (status, completion) = json_of(
        app.post("/v1/chat/completions", Some(&user), &ask("flaky"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "Resposta do fallback"
    );
    assert_eq!(
        completion["model"], "openai/gpt-4o-mini",
        "the answer names the fallback"
    );
    assert_eq!(upstream_calls(&app.upstream).await, 1);

    let (status, error) = json_of(
        app.post("/v1/chat/completions", Some(&user), &ask("lonely"))
            .await,
    )
    .await;
    assert_eq!((status, code(&error)), (502, "upstream_error"), "{error}");

    // POST /chat keeps the user's message when the webhook fails.
    let (status, turn) = json_of(
        app.post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Fica guardado", "model": "lonely"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 502, "{turn}");
    let (_, chats) = json_of(app.get("/chats", Some(&user)).await).await;
    let chat_id = chats["items"][0]["chat_id"]
        .as_str()
        .or(chats["items"][0]["id"].as_str())
        .expect("the chat is kept")
        .to_owned();
    let (_, history) = json_of(
        app.get(&format!("/chat?chat_id={chat_id}"), Some(&user))
            .await,
    )
    .await;
    assert!(history.to_string().contains("Fica guardado"), "{history}");

    // The metrics count the fallback and the calls by provider and outcome.
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    for series in [
        r#"polychat_webhook_fallbacks_total{model="flaky"} 1"#,
        r#"polychat_model_call_duration_seconds_count{outcome="ok",provider="openrouter"} 1"#,
        r#"polychat_model_call_duration_seconds_count{outcome="error",provider="webhook"} 2"#,
    ] {
        assert!(
            metrics.lines().any(|line| line == series),
            "{series}\n{metrics}"
        );
    }
}

#[tokio::test]
async fn the_test_call_reports_status_and_latency() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!({"answer": "pong"})),
    )
    .await;
    let admin = app.admin("test_admin").await;
    let (_, created) = create(&app, &admin, &model_body(&n8n, "pinger")).await;
    let id = created["id"].as_str().unwrap();
    let (status, report) = json_of(
        app.post(
            &format!("/admin/models/{id}/test"),
            Some(&admin),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (
            report["ok"].as_bool(),
            report["status"].as_u64(),
            report["content"].as_str()
        ),
        (Some(true), Some(200), Some("pong"))
    );
    assert!(report["latency_ms"].is_u64());
    let (_, report) = json_of(
        app.post(
            &format!("/admin/models/{id}/test"),
            Some(&admin),
            &json!({"webhook_type": "completion"}),
        )
        .await,
    )
    .await;
    // The fake n8n has no completions webhook: the report shows the webhook's 404.
    assert_eq!(
        (report["ok"].as_bool(), report["status"].as_u64()),
        (Some(false), Some(404)),
        "{report}"
    );
    assert!(report["error"].is_string());
}

/// The `X-Polychat-Fallback` header of a response, if any.
fn fallback_header(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("x-polychat-fallback")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Asks `/v1` for `model`, whole and streamed, and checks that the gateway model
/// answered, named in the header, the answer and every chunk.
async fn v1_names_the_fallback(app: &TestApp, user: &str, model: &str, gateway: &str) {
    let ask = |stream: bool| json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "Oi"}]});
    let response = app
        .post("/v1/chat/completions", Some(user), &ask(false))
        .await;
    assert_eq!(
        fallback_header(&response).as_deref(),
        Some(gateway),
        "{model}"
    );
    let (status, completion) = json_of(response).await;
    assert_eq!((status, completion["model"].as_str()), (200, Some(gateway)));

    let response = app
        .post("/v1/chat/completions", Some(user), &ask(true))
        .await;
    assert_eq!(
        fallback_header(&response).as_deref(),
        Some(gateway),
        "{model}"
    );
    let body = response.text().await.expect("body");
    let chunks: Vec<Value> = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .map(|data| serde_json::from_str(data).expect("a JSON chunk"))
        .collect();
    assert!(chunks.len() >= 3, "{body}");
    assert!(chunks.iter().all(|c| c["model"] == gateway), "{body}");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "Resposta");
}

#[tokio::test]
async fn the_fallback_that_answers_is_named_in_the_header_and_every_chunk() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(500).set_body_string("boom"),
    )
    .await;
    n8n_answering(
        &n8n,
        "/webhook/steady",
        ResponseTemplate::new(200).set_body_json(json!({"output": "Eu mesmo"})),
    )
    .await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .and(body_partial_json(json!({"stream": true})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sse_body(&["Res", "posta"], (5, 2)), "text/event-stream"),
        )
        .mount(&app.upstream)
        .await;
    answer(&app.upstream, "Resposta", (5, 2)).await;
    let admin = app.admin("fbh_admin").await;
    let gateway = "openai/gpt-4o-mini";
    let mut flaky = model_body(&n8n, "flaky");
    flaky["fallback_model"] = json!(gateway);
    create(&app, &admin, &flaky).await;
    // A custom model whose fallback is a custom model that fails too.
    let mut outer = model_body(&n8n, "outer");
    outer["fallback_model"] = json!("flaky");
    create(&app, &admin, &outer).await;
    let mut steady = model_body(&n8n, "steady");
    steady["chat_webhook_url"] = json!(format!("{}/webhook/steady", n8n.uri()));
    create(&app, &admin, &steady).await;
    let user = app.user("fbh_user", Some(KEY)).await;

    v1_names_the_fallback(&app, &user, "flaky", gateway).await;
    v1_names_the_fallback(&app, &user, "outer", gateway).await;

    let response = app
        .post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Oi", "model": "flaky"}),
        )
        .await;
    assert_eq!(fallback_header(&response).as_deref(), Some(gateway));
    let (status, turn) = json_of(response).await;
    assert_eq!(
        (status, turn["message"]["model"].as_str()),
        (200, Some(gateway)),
        "{turn}"
    );
    let response = app
        .post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Oi", "model": "flaky", "stream": true}),
        )
        .await;
    assert_eq!(fallback_header(&response).as_deref(), Some(gateway));
    let events = parse_events(&response.text().await.unwrap());
    let done = events.last().expect("events");
    assert_eq!(done.name, "done");
    assert_eq!(done.data["message"]["model"], gateway);

    // A model that answers itself names no fallback.
    let steady =
        json!({"model": "steady", "stream": true, "messages": [{"role": "user", "content": "Oi"}]});
    let response = app.post("/v1/chat/completions", Some(&user), &steady).await;
    assert_eq!(fallback_header(&response), None);
    let body = response.text().await.unwrap();
    assert!(body.contains("\"model\":\"steady\""), "{body}");
    let response = app
        .post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Oi", "model": "steady"}),
        )
        .await;
    assert_eq!(fallback_header(&response), None);
}
