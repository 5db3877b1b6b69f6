//! Whole-app tests of failing webhooks: the fallback named, 502/504 without one, and
//! the admin's test call reporting the webhook's status.

use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use super::support::{app, create, json_of, model_body, n8n_answering};
use crate::chat::support::{KEY, answer, code, upstream_calls};

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
