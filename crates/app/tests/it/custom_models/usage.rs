//! Whole-app tests of the usage reports over calls to custom and OpenRouter models.

use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

use super::support::{app, create, json_of, model_body, n8n_answering};
use crate::chat::support::{KEY, answer};
use crate::harness::TestApp;

/// The usage report at `path` once it counts `requests` (records are written in
/// batches, off the response path), or the last one read.
async fn report_with(app: &TestApp, path: &str, token: &str, requests: u64) -> Value {
    let mut report = Value::Null;
    for _ in 0..50 {
        let (status, body) = json_of(app.get(path, Some(token)).await).await;
        assert_eq!(status, 200, "{body}");
        report = body;
        if report["total"]["requests"] == requests {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    report
}

#[tokio::test]
async fn usage_reports_count_every_call_per_model_day_and_user() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"content": "de n8n"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13},
            "object": "chat.completion"
        })),
    )
    .await;
    n8n_answering(&n8n, "/webhook/broken", ResponseTemplate::new(503)).await;
    answer(&app.upstream, "do gateway", (5, 3)).await;
    let admin = app.admin("usage_admin").await;
    create(&app, &admin, &model_body(&n8n, "counted")).await;
    let mut broken = model_body(&n8n, "broken");
    broken["chat_webhook_url"] = json!(format!("{}/webhook/broken", n8n.uri()));
    broken["fallback_model"] = json!("openai/gpt-4o-mini");
    create(&app, &admin, &broken).await;
    let user = app.user("usage_user", Some(KEY)).await;
    let ask =
        |model: &str| json!({"model": model, "messages": [{"role": "user", "content": "Oi"}]});

    assert_eq!(
        app.post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Oi", "model": "counted"})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.post("/v1/chat/completions", Some(&user), &ask("counted"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post("/v1/chat/completions", Some(&user), &ask("broken"))
            .await
            .status(),
        200,
        "the fallback answered"
    );
    assert_eq!(
        app.post("/v1/chat/completions", Some(&admin), &ask("counted"))
            .await
            .status(),
        200
    );

    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let query =
        |path: &str, group: &str| format!("{path}?from={today}&to={today}&group_by={group}");
    // Written off the response path in batches: wait for the batch.
    let report = report_with(&app, &query("/user/usage", "model"), &user, 3).await;
    assert_eq!(
        report["items"],
        json!([
            {"key": "counted", "requests": 2, "prompt_tokens": 22, "completion_tokens": 4, "total_tokens": 26},
            {"key": "openai/gpt-4o-mini", "requests": 1, "prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        ]),
        "the fallback's call is the fallback's: {report}"
    );
    assert_eq!(
        report["total"],
        json!({"requests": 3, "prompt_tokens": 27, "completion_tokens": 7, "total_tokens": 34})
    );
    let (_, by_day) = json_of(app.get(&query("/user/usage", "day"), Some(&user)).await).await;
    assert_eq!(by_day["items"][0]["key"], today.as_str());
    assert_eq!(by_day["items"][0]["requests"], 3);

    let (status, error) = json_of(app.get(&query("/user/usage", "user"), Some(&user)).await).await;
    assert_eq!(status, 422, "users group by model or day: {error}");
    let (status, _) = json_of(app.get(&query("/admin/usage", "user"), Some(&user)).await).await;
    assert_eq!(status, 403);
    // The admin's own call may be in a batch still to be written.
    let everyone = report_with(&app, &query("/admin/usage", "user"), &admin, 4).await;
    assert_eq!(everyone["total"]["requests"], 4, "{everyone}");
    assert_eq!(everyone["items"].as_array().unwrap().len(), 2);
    let (status, error) = json_of(
        app.get("/user/usage?from=2026-13-01&to=2026-01-01", Some(&user))
            .await,
    )
    .await;
    assert_eq!(status, 422, "{error}");
}
