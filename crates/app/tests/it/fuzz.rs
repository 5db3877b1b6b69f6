//! Schemathesis (from the venv `make fuzz-venv` sets up, part of `make test`) against the
//! live app's `/openapi.json`: every check it has, on every route, with a real token, a
//! fixed seed and a bounded number of examples. Zero failures means the document tells
//! the truth: every status a route answers is documented, every answer matches its
//! schema, and every constraint the server enforces is in the schema, so a request the
//! schema allows is accepted.

mod findings;

use std::path::PathBuf;

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::chat::support::{COMPLETIONS, KEY, completion, sse_body};
use crate::harness::TestApp;

/// Same seed, same requests: a failure here can be replayed.
const SEED: &str = "20260301";
/// Per operation and phase; enough to walk every route's parameters within a few minutes
/// on a shared two-core machine.
const MAX_EXAMPLES: &str = "12";

/// The venv's Python, made by `make fuzz-venv` (part of `make test`).
fn fuzz_python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("POLYCHAT_FUZZ_PYTHON")
        .map_or_else(|| root.join(".local/venv-fuzz/bin/python"), PathBuf::from);
    assert!(
        python.exists(),
        "{} is missing: run `make fuzz-venv` (part of `make test`)",
        python.display()
    );
    python
}

/// The upstream answers every call the app can make: the catalog, chat completions
/// (whole and streamed) and legacy completions. A 5xx is then the app's own fault.
async fn mock_upstream(app: &TestApp) {
    let catalog = json!({"data": [
        {"id": "openai/gpt-4o-mini", "name": "GPT-4o mini", "created": 1_721_260_800},
    ]});
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog))
        .mount(&app.upstream)
        .await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .and(body_partial_json(json!({"stream": true})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sse_body(&["Olá", ", mundo!"], (9, 3)), "text/event-stream"),
        )
        .with_priority(1)
        .mount(&app.upstream)
        .await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(
            "Olá, mundo!",
            "openai/gpt-4o-mini",
            (9, 3),
        )))
        .with_priority(2)
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

/// The custom model the admin routes are fuzzed against.
struct Model {
    id: String,
    slug: String,
}

/// Where the custom models' webhooks point: the mock upstream, which answers them.
fn webhook(app: &TestApp) -> String {
    format!("{}/webhook", app.upstream.uri())
}

/// A custom model on the mock upstream's webhook (allowed: the app is started with
/// `WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8`).
async fn custom_model(app: &TestApp, token: &str) -> Model {
    Mock::given(method("POST"))
        .and(path("/webhook"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"output": "Olá!"})))
        .mount(&app.upstream)
        .await;
    let body = json!({"slug": "fuzzed-bot", "name": "Fuzzed bot",
        "chat_webhook_url": webhook(app), "completions_webhook_url": webhook(app)});
    let created = app.post("/admin/models", Some(token), &body).await;
    assert_eq!(created.status(), 201, "create the custom model");
    let created: Value = created.json().await.expect("model body");
    Model {
        id: created["id"].as_str().expect("model id").to_owned(),
        slug: created["slug"].as_str().expect("model slug").to_owned(),
    }
}

/// Not the password the document shows as an example: the fuzzer must not be able to
/// change it (a password change ends the user's other sessions).
const PASSWORD: &str = "only the test knows this";

/// Logs `username` in: a new session, its own access token.
async fn login(app: &TestApp, username: &str) -> String {
    let login = app
        .post(
            "/login",
            None,
            &json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), 200, "login {username}");
    let tokens: Value = login.json().await.expect("token body");
    tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// Runs schemathesis against `app` with `token`, `filters` selecting the operations;
/// asserts it found nothing, printing its report when it did.
async fn schemathesis(app: &TestApp, token: &str, model: &Model, filters: &[&str]) {
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/schemathesis.toml");
    let run = tokio::process::Command::new(fuzz_python())
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(config)
        .arg("run")
        // It keeps a cache of what it found in the working directory: not in the tree.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        // Read by schemathesis.toml: a model to fuzz the admin routes against.
        .env("POLYCHAT_FUZZ_WEBHOOK", webhook(app))
        .env("POLYCHAT_FUZZ_MODEL_ID", &model.id)
        .env("POLYCHAT_FUZZ_MODEL_SLUG", &model.slug)
        .arg(app.url("/openapi.json"))
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .args([
            "--checks",
            "all",
            "--seed",
            SEED,
            "--max-examples",
            MAX_EXAMPLES,
        ])
        .args(["--workers", "1", "--generation-database", "none"])
        .args(["--request-timeout", "30", "--no-color"])
        .args(filters)
        .output()
        .await
        .expect("run schemathesis");
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "schemathesis failed:\n{out}\n{err}");
    let summary = out
        .find("WARNINGS")
        .or_else(|| out.find("SUMMARY"))
        .map_or(&*out, |at| &out[at..]);
    println!("schemathesis {filters:?}:\n{summary}");
}

#[tokio::test]
async fn schemathesis_finds_nothing_wrong() {
    let app = TestApp::spawn_with(&[("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")]).await;
    mock_upstream(&app).await;
    // An admin, so the admin routes are fuzzed too and not just refused.
    let username = "fuzz_admin";
    let body = json!({"username": username, "password": PASSWORD, "openrouter_api_key": KEY});
    let registered = app.post("/register", None, &body).await;
    assert_eq!(registered.status(), 201, "register {username}");
    polychat_app::wiring::set_role(&app.config(), username, polychat_domain::AccountRole::Admin)
        .await
        .expect("admin grant");
    let token = login(&app, username).await;
    // POST /logout revokes the token it is called with, and every later request of
    // the run would be a 401: it gets its own session, fuzzed on its own afterwards
    // (logged in now: the fuzzer's failed logins spend this address's login budget).
    let own = login(&app, username).await;
    let model = custom_model(&app, &token).await;
    // /token/refresh and a password change (PUT /user/profile) stay in the main run:
    // the fuzzer never has this session's refresh token nor the password, so neither
    // can end it.
    schemathesis(&app, &token, &model, &["--exclude-path", "/logout"]).await;
    // One operation has no links to follow: no stateful phase.
    let phases = ["--phases", "examples,coverage,fuzzing"];
    schemathesis(
        &app,
        &own,
        &model,
        &[&["--include-path", "/logout"][..], &phases].concat(),
    )
    .await;
}
