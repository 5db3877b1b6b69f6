//! The OpenAI-compatible API (`/v1`): driven by the official `openai` Python SDK (from
//! the venv `make test` sets up), and a stream whose client leaves with `X-Chat-Id`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::chat::support::{COMPLETIONS, KEY, completion, history, paced_upstream, sse_body, user};
use crate::harness::TestApp;

/// The venv's Python, made by `make test` (`make sdk-venv`).
fn sdk_python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("POLYCHAT_SDK_PYTHON")
        .map_or_else(|| root.join(".local/venv-sdk/bin/python"), PathBuf::from);
    assert!(
        python.exists(),
        "{} is missing: run `make sdk-venv` (part of `make test`)",
        python.display()
    );
    python
}

async fn mock_upstream(app: &TestApp) {
    let catalog = json!({"data": [
        {"id": "openai/gpt-4o-mini", "name": "GPT-4o mini", "created": 1_721_260_800},
        {"id": "anthropic/claude-3.5-sonnet", "name": "Claude 3.5 Sonnet", "created": 1_718_841_600},
    ]});
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog))
        .mount(&app.upstream)
        .await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .and(body_partial_json(json!({"model": "vendor/limited"})))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .with_priority(1)
        .mount(&app.upstream)
        .await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .and(body_partial_json(json!({"stream": true})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            sse_body(&["Olá", ", ", "mundo!"], (9, 3)),
            "text/event-stream",
        ))
        .with_priority(2)
        .mount(&app.upstream)
        .await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(
            "Olá, mundo!",
            "openai/gpt-4o-mini",
            (9, 3),
        )))
        .with_priority(3)
        .mount(&app.upstream)
        .await;
    let legacy = json!({"id": "cmpl-1", "object": "text_completion", "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "text": " there was a mock.", "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9}});
    Mock::given(method("POST"))
        .and(path("/api/v1/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(legacy))
        .mount(&app.upstream)
        .await;
}

#[tokio::test]
async fn the_official_openai_sdk_works_against_v1() {
    let python = sdk_python();
    let app = TestApp::spawn().await;
    mock_upstream(&app).await;
    let token = app.user("sdk_user", Some(KEY)).await;
    let mint = async |name: &str| {
        let created = app
            .post("/user/api-keys", Some(&token), &json!({ "name": name }))
            .await;
        assert_eq!(created.status(), 201);
        let body: serde_json::Value = created.json().await.expect("key body");
        (
            body["id"].as_str().expect("id").to_owned(),
            body["key"].as_str().expect("key").to_owned(),
        )
    };
    let (_, key) = mint("openai sdk").await;
    let (revoked_id, revoked) = mint("revoked").await;
    let revoke = app
        .client
        .delete(app.url(&format!("/user/api-keys/{revoked_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), 204);

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/openai_clients.py");
    let address = app.address.clone();
    let run = tokio::process::Command::new(python)
        .arg(script)
        .env("POLYCHAT_URL", &address)
        .env("POLYCHAT_KEY", &key)
        .env("POLYCHAT_BAD_KEY", "pc_not-a-key")
        .env("POLYCHAT_REVOKED_KEY", &revoked)
        .output()
        .await
        .expect("run the SDK script");
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "SDK checks failed:\n{out}\n{err}");
    assert!(out.contains("all SDK checks passed"), "{out}");
}

#[tokio::test]
async fn a_v1_stream_whose_client_leaves_still_stores_the_whole_answer() {
    let deltas: Vec<String> = (0..8).map(|i| format!("w{i} ")).collect();
    let expected = deltas.concat();
    let (base, _) = paced_upstream(deltas, Duration::from_millis(150)).await;
    let app = TestApp::spawn_with(&[("OPENROUTER_BASE_URL", base.as_str())]).await;
    let token = user(&app).await;
    let mut response = app
        .client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(&token)
        .header("X-Chat-Id", "new")
        .json(&json!({"model": "openai/gpt-4o-mini", "stream": true,
                      "messages": [{"role": "user", "content": "Talk slowly"}]}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let chat = response
        .headers()
        .get("x-chat-id")
        .and_then(|v| v.to_str().ok())
        .expect("X-Chat-Id")
        .to_owned();
    let mut received = String::new();
    while !received.contains("w1 ") {
        let bytes = response
            .chunk()
            .await
            .expect("read")
            .expect("stream ended early");
        received.push_str(&String::from_utf8_lossy(&bytes));
    }
    drop(response);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, body) = history(&app, &token, &format!("chat_id={chat}")).await;
        assert_eq!(status, 200, "{body}");
        let messages = body["messages"].as_array().expect("messages").clone();
        if let Some(last) = messages
            .last()
            .filter(|m| m["status"] == "complete" && m["role"] == "assistant")
        {
            assert_eq!(last["content"], expected.as_str());
            assert_eq!(messages[0]["content"], "Talk slowly");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the answer was never stored: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
