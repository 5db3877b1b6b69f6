//! Prompts answered whole: new and continued chats, the model chosen, the turn's shape.

use serde_json::json;

use super::support::{self, answer, history, prompt, upstream_bodies, user};
use crate::harness::TestApp;

#[tokio::test]
async fn a_prompt_without_chat_id_creates_a_chat_and_returns_the_turn() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "Use cargo workspaces.", (12, 4)).await;

    for body in [
        json!({"prompt": "How do I structure a Rust project?"}),
        json!({"chat_id": "", "prompt": "How do I structure a Rust project?"}),
        json!({"chat_id": null, "prompt": "How do I structure a Rust project?", "extra": 1}),
    ] {
        let (status, _, turn) = prompt(&app, &token, &body).await;
        assert_eq!(status, 200, "{turn}");
        assert!(
            polychat_domain::ChatId::parse(turn["chat_id"].as_str().unwrap()).is_ok(),
            "{turn}"
        );
        let message = &turn["message"];
        assert!(message["id"].as_str().is_some_and(|id| !id.is_empty()));
        assert_eq!(message["role"], "assistant");
        assert_eq!(message["content"], "Use cargo workspaces.");
        assert_eq!(message["model"], "openai/gpt-4o-mini");
        assert!(
            chrono::DateTime::parse_from_rfc3339(message["created_at"].as_str().unwrap()).is_ok()
        );
        assert_eq!(
            message["usage"],
            json!({"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16})
        );
        assert_eq!(
            turn["usage_total"],
            json!({"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16})
        );
        assert!(turn["memories"]["used"].is_array(), "{turn}");
        assert!(turn["memories"]["saved"].is_array(), "{turn}");
    }
    let list: serde_json::Value = app.get("/chats", Some(&token)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "{list}");
    let sent = upstream_bodies(&app.upstream).await;
    assert_eq!(sent.len(), 3);
    let messages = sent[0]["messages"].as_array().unwrap();
    let prompt_sent = messages.last().unwrap();
    assert_eq!(prompt_sent["role"], "user");
    assert_eq!(prompt_sent["content"], "How do I structure a Rust project?");
}

#[tokio::test]
async fn a_continued_chat_sends_its_history_and_sums_usage() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "Paris is the capital.", (10, 5)).await;
    let chat = support::new_chat(&app, &token, "What is the capital of France?").await;

    let (status, _, turn) = prompt(
        &app,
        &token,
        &json!({"chat_id": chat, "prompt": "And its population?"}),
    )
    .await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["chat_id"], chat);
    assert_eq!(
        turn["usage_total"],
        json!({"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30})
    );

    let sent = upstream_bodies(&app.upstream).await;
    assert_eq!(sent.len(), 2);
    let contents: Vec<(String, String)> = sent[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] != "system")
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("user", "What is the capital of France?"),
        ("assistant", "Paris is the capital."),
        ("user", "And its population?"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(r, c)| ((*r).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(contents, expected);

    let (status, _, chat_body) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(status, 200);
    assert_eq!(chat_body["messages"].as_array().unwrap().len(), 4);
    assert_eq!(
        chat_body["usage_total"],
        json!({"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30})
    );
}

async fn set_default_model(app: &TestApp, token: &str, model: &str) {
    let response = app
        .client
        .put(app.url("/user/profile"))
        .bearer_auth(token)
        .json(&json!({"default_model": model}))
        .send()
        .await
        .expect("PUT /user/profile");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_model_is_the_requests_then_the_profiles_then_the_servers() {
    let app = TestApp::spawn_with(&[("DEFAULT_MODEL", "server/default-model")]).await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;

    let ask = |model: Option<&str>| {
        let mut body = json!({"prompt": "Hello there"});
        if let Some(model) = model {
            body["model"] = json!(model);
        }
        body
    };
    assert_eq!(prompt(&app, &token, &ask(None)).await.0, 200);
    set_default_model(&app, &token, "profile/model").await;
    assert_eq!(prompt(&app, &token, &ask(None)).await.0, 200);
    assert_eq!(
        prompt(&app, &token, &ask(Some("request/model"))).await.0,
        200
    );

    let models: Vec<String> = upstream_bodies(&app.upstream)
        .await
        .iter()
        .map(|b| b["model"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        models,
        ["server/default-model", "profile/model", "request/model"]
    );
}

#[tokio::test]
async fn invalid_prompts_are_refused_before_the_model() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;

    for (body, field) in [
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": "   "}), "prompt"),
        (json!({"chat_id": ""}), "prompt"),
        (
            json!({"prompt": "hi", "model": "not a model name!"}),
            "model",
        ),
    ] {
        let (status, _, error) = prompt(&app, &token, &body).await;
        assert_eq!(status, 422, "{body} -> {error}");
        assert_eq!(support::code(&error), "validation_failed");
        assert!(
            error["error"]["message"].as_str().unwrap().contains(field),
            "{error}"
        );
    }
    let (status, _, error) = prompt(
        &app,
        &token,
        &json!({"chat_id": "not-a-chat", "prompt": "hi"}),
    )
    .await;
    assert_eq!(status, 404, "{error}");
    let unauthenticated = app.post("/chat", None, &json!({"prompt": "hi"})).await;
    assert_eq!(unauthenticated.status(), 401);
    assert_eq!(support::upstream_calls(&app.upstream).await, 0);
}

#[tokio::test]
async fn no_openrouter_key_is_a_400_without_a_model_call() {
    let app = TestApp::spawn().await;
    let token = app.user("keyless", None).await;
    answer(&app.upstream, "ok", (1, 1)).await;

    let (status, _, error) = prompt(&app, &token, &json!({"prompt": "Hello"})).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(support::code(&error), "openrouter_key_missing");
    assert_eq!(support::upstream_calls(&app.upstream).await, 0);
}

/// The names of a `Server-Timing` header's metrics, each checked to carry a duration.
fn timed_steps(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    let value = headers["server-timing"].to_str().expect("ascii");
    value
        .split(", ")
        .map(|metric| {
            let (name, dur) = metric.split_once(";dur=").expect(value);
            assert!(dur.parse::<f64>().is_ok_and(|ms| ms >= 0.0), "{value}");
            name.to_owned()
        })
        .collect()
}

#[tokio::test]
async fn server_timing_names_the_steps_of_a_turn() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "Use cargo workspaces.", (12, 4)).await;

    let (status, headers, turn) = prompt(&app, &token, &json!({"prompt": "Rust layout?"})).await;
    assert_eq!(status, 200, "{turn}");
    let steps = timed_steps(&headers);
    assert_eq!(steps[0], "app", "{steps:?}");
    for step in [
        "auth", "rate", "account", "embed", "prompt", "upstream", "answer",
    ] {
        assert!(steps.iter().any(|s| s == step), "{step} missing: {steps:?}");
    }
    assert!(
        !steps.iter().any(|s| s == "history"),
        "a new chat reads no history"
    );

    let body = json!({"chat_id": turn["chat_id"], "prompt": "And tests?"});
    let (status, headers, _) = prompt(&app, &token, &body).await;
    assert_eq!(status, 200);
    let steps = timed_steps(&headers);
    for step in [
        "chat",
        "history",
        "prompt",
        "invalidate",
        "upstream",
        "answer",
    ] {
        assert!(steps.iter().any(|s| s == step), "{step} missing: {steps:?}");
    }

    let (_, cache, _) = history(
        &app,
        &token,
        &format!("chat_id={}", turn["chat_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(cache, "MISS");
}
