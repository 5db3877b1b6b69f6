//! The README's first session, run as written (bash, curl and jq) against the app, and its
//! output compared line by line with the output the README shows: the README cannot
//! promise what the service does not do, memory included.

use std::path::PathBuf;

use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::chat::support::{COMPLETIONS, answer, sse_body, upstream_calls};
use crate::harness::TestApp;

/// The body of the fenced block that follows `marker` in `text`.
fn block_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let from = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} is in the README"));
    let rest = &text[from..];
    let open = rest.find("```").expect("a fenced block follows the marker");
    let body = &rest[open..];
    let body = &body[body.find('\n').expect("the fence line ends") + 1..];
    &body[..body.find("```").expect("the block is closed")]
}

#[tokio::test]
async fn the_first_session_prints_what_the_readme_shows() {
    let app = TestApp::spawn().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .and(body_partial_json(serde_json::json!({"stream": true})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            sse_body(&["Cargo ", "workspace."], (9, 2)),
            "text/event-stream",
        ))
        .with_priority(1)
        .mount(&app.upstream)
        .await;
    answer(&app.upstream, "Use um Cargo workspace.", (12, 5)).await;

    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("read the README");
    let session = block_after(&readme, "<!-- first-session:");
    let shown = block_after(&readme, "<!-- first-session-output -->");
    let host = app.address.trim_start_matches("http://");
    let run = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c"])
        .arg(session.replace("localhost:8080", host))
        .output()
        .await
        .expect("run bash");
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the session failed:\n{out}\n{err}");
    let printed: Vec<&str> = out.lines().collect();
    let expected: Vec<&str> = shown.lines().collect();
    assert_eq!(printed, expected, "stderr:\n{err}");
    assert_eq!(
        upstream_calls(&app.upstream).await,
        4,
        "three turns and one idempotent retry pair: the retry never reached the model"
    );
}

#[tokio::test]
async fn the_swagger_example_of_post_chat_saves_a_memory() {
    let app = TestApp::spawn().await;
    answer(&app.upstream, "Use um Cargo workspace.", (12, 5)).await;
    let token = app.user("swagger", Some("sk-or-v1-test-key-a1b2")).await;
    let document: serde_json::Value = app
        .get("/openapi.json", None)
        .await
        .json()
        .await
        .expect("the OpenAPI document");
    let schema = &document["components"]["schemas"]["ChatRequest"]["properties"];
    let body = serde_json::json!({
        "chat_id": schema["chat_id"]["example"],
        "prompt": schema["prompt"]["example"],
    });
    let turn = app.post("/chat", Some(&token), &body).await;
    assert_eq!(
        turn.status(),
        200,
        "the example as sent from the Swagger UI"
    );
    let turn: serde_json::Value = turn.json().await.expect("a chat turn");
    let saved = turn["memories"]["saved"]
        .as_array()
        .expect("saved memories");
    assert!(
        !saved.is_empty(),
        "the example shows memory at work: {turn}"
    );
}
