//! Custom models on webhooks: the admin registry (roles, versions, restore, export and
//! import, deactivation), the SSRF rule at save, and calls through `/v1` and `POST
//! /chat` to a fake n8n (a real HTTP server) with the contract's payload, headers and
//! signature, its answer shapes, permissions and the fallback.

use hmac::{Hmac, Mac as _};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::chat::support::{KEY, answer, code, parse_events, upstream_calls};
use crate::harness::TestApp;

/// Webhooks may reach the fake n8n on loopback only because the test opens it.
const LOOPBACK: (&str, &str) = ("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8");

async fn app() -> TestApp {
    TestApp::spawn_with(&[LOOPBACK]).await
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn model_body(n8n: &MockServer, slug: &str) -> Value {
    json!({
        "slug": slug,
        "name": "Support bot",
        "description": "Answers from the help centre",
        "chat_webhook_url": format!("{}/webhook/chat", n8n.uri()),
        "completions_webhook_url": format!("{}/webhook/completion", n8n.uri()),
        "timeout_seconds": 5,
        "webhook_headers": {"X-Team-Token": "team-secret-value"},
    })
}

async fn create(app: &TestApp, admin: &str, body: &Value) -> (u16, Value) {
    json_of(app.post("/admin/models", Some(admin), body).await).await
}

/// The fake n8n answers the chat webhook with `answer` as its JSON body.
async fn n8n_answering(n8n: &MockServer, route: &str, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(response)
        .mount(n8n)
        .await;
}

fn received_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("webhook body is JSON")
}

fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Whether `X-Polychat-Signature` is `t=<secs>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
fn signature_verifies(request: &Request, secret: &str) -> bool {
    let signature = header(request, "x-polychat-signature");
    let Some((t, v1)) = signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&request.body);
    let expected = mac.finalize().into_bytes();
    let expected = expected.iter().fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    expected == v1
}

#[tokio::test]
async fn only_admins_reach_the_registry_and_no_route_changes_a_role() {
    let app = app().await;
    let n8n = MockServer::start().await;
    let user = app.user("plain_user", Some(KEY)).await;
    let admin = app.admin("the_admin").await;
    let (status, created) = create(&app, &admin, &model_body(&n8n, "support-bot")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    let routes: Vec<(Method, String)> = vec![
        (Method::POST, "/admin/models".into()),
        (Method::GET, "/admin/models".into()),
        (Method::GET, format!("/admin/models/{id}")),
        (Method::PUT, format!("/admin/models/{id}")),
        (Method::DELETE, format!("/admin/models/{id}")),
        (Method::GET, format!("/admin/models/{id}/versions")),
        (
            Method::POST,
            format!("/admin/models/{id}/versions/1/restore"),
        ),
        (Method::POST, format!("/admin/models/{id}/test")),
        (Method::GET, "/admin/models/export".into()),
        (Method::POST, "/admin/models/import".into()),
    ];
    let body = json!({});
    for (verb, route) in &routes {
        let response = app
            .send(verb.clone(), route, Some(&user), Some(&body))
            .await;
        let (status, error) = json_of(response).await;
        assert_eq!((status, code(&error)), (403, "forbidden"), "{verb} {route}");
        let response = app.send(verb.clone(), route, None, Some(&body)).await;
        assert_eq!(response.status(), 401, "{verb} {route} without a token");
    }

    // The profile shows the role; sending one changes nothing.
    let changed = app
        .send(
            Method::PUT,
            "/user/profile",
            Some(&user),
            Some(&json!({"role": "admin"})),
        )
        .await;
    assert!(changed.status().is_client_error() || changed.status() == 200);
    let (_, profile) = json_of(app.get("/user/profile", Some(&user)).await).await;
    assert_eq!(profile["role"], "user");
    let (_, profile) = json_of(app.get("/user/profile", Some(&admin)).await).await;
    assert_eq!(profile["role"], "admin");
    let (status, _) = json_of(app.get("/admin/models", Some(&user)).await).await;
    assert_eq!(status, 403, "still not an admin");
}

#[tokio::test]
async fn the_registry_keeps_versions_restores_exports_and_imports() {
    let app = app().await;
    let n8n = MockServer::start().await;
    let admin = app.admin("registry_admin").await;
    let (status, created) = create(&app, &admin, &model_body(&n8n, "support-bot")).await;
    assert_eq!(status, 201, "{created}");
    let secret = created["signing_secret"].as_str().unwrap();
    assert!(secret.len() >= 40, "a long signing secret: {secret}");
    assert_eq!(created["version"], 1);
    assert_eq!(created["timeout_seconds"], 5);
    assert_eq!(created["is_active"], true);
    assert_eq!(created["webhook_header_names"], json!(["X-Team-Token"]));
    assert!(!created.to_string().contains("team-secret-value"));
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, again) = create(&app, &admin, &model_body(&n8n, "support-bot")).await;
    assert_eq!((status, code(&again)), (409, "slug_taken"));

    let (status, shown) =
        json_of(app.get(&format!("/admin/models/{id}"), Some(&admin)).await).await;
    assert_eq!(status, 200);
    assert!(shown.get("signing_secret").is_none(), "shown once only");
    assert!(!shown.to_string().contains("team-secret-value"));

    let change = json!({"name": "Support bot v2", "timeout_seconds": 30});
    let response = app
        .send(
            Method::PUT,
            &format!("/admin/models/{id}"),
            Some(&admin),
            Some(&change),
        )
        .await;
    let (status, changed) = json_of(response).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (changed["version"].as_u64(), changed["name"].as_str()),
        (Some(2), Some("Support bot v2"))
    );
    assert_eq!(
        changed["description"], "Answers from the help centre",
        "unnamed fields stay"
    );

    let (_, versions) = json_of(
        app.get(&format!("/admin/models/{id}/versions"), Some(&admin))
            .await,
    )
    .await;
    let items = versions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["version"], 2, "newest first");
    assert_eq!(items[1]["model"]["name"], "Support bot");
    assert_eq!(
        items[1]["model"]["version"], 1,
        "each version shows the model as it was"
    );
    assert_eq!(items[1]["model"]["id"].as_str(), Some(id.as_str()));
    assert!(items[0]["changed_by"].is_string());

    let response = app
        .send(
            Method::POST,
            &format!("/admin/models/{id}/versions/1/restore"),
            Some(&admin),
            None,
        )
        .await;
    let (status, restored) = json_of(response).await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(
        (restored["version"].as_u64(), restored["name"].as_str()),
        (Some(3), Some("Support bot"))
    );
    assert_eq!(restored["timeout_seconds"], 5);
    let response = app
        .send(
            Method::POST,
            &format!("/admin/models/{id}/versions/9/restore"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_registry_exports_imports_deactivates_and_purges() {
    let app = app().await;
    let n8n = MockServer::start().await;
    let admin = app.admin("backup_admin").await;
    let (status, created) = create(&app, &admin, &model_body(&n8n, "support-bot")).await;
    assert_eq!(status, 201, "{created}");
    let secret = created["signing_secret"].as_str().unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    // Export has no secrets; importing it back updates by slug, a new slug is created.
    let (status, export) = json_of(app.get("/admin/models/export", Some(&admin)).await).await;
    assert_eq!(status, 200);
    assert_eq!(export["format"], 1);
    assert!(!export.to_string().contains("team-secret-value"));
    assert!(!export.to_string().contains(secret));
    let mut import = export.clone();
    let mut copy = import["models"][0].clone();
    copy["slug"] = json!("support-bot-copy");
    import["models"].as_array_mut().unwrap().push(copy);
    let (status, report) = json_of(
        app.post("/admin/models/import", Some(&admin), &import)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report, json!({"created": 1, "updated": 1}));
    let bad = json!({"format": 2, "models": []});
    let (status, _) = json_of(app.post("/admin/models/import", Some(&admin), &bad).await).await;
    assert_eq!(status, 422);

    // Deactivated: gone from the list, kept with include_inactive; purge removes it.
    let response = app
        .send(
            Method::DELETE,
            &format!("/admin/models/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(response.status(), 204);
    let (_, active) = json_of(app.get("/admin/models", Some(&admin)).await).await;
    let slugs: Vec<&str> = active["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["slug"].as_str())
        .collect();
    assert_eq!(slugs, vec!["support-bot-copy"]);
    let (_, all) = json_of(
        app.get("/admin/models?include_inactive=true", Some(&admin))
            .await,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let response = app
        .send(
            Method::DELETE,
            &format!("/admin/models/{id}?purge=true"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = app.get(&format!("/admin/models/{id}"), Some(&admin)).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn bad_settings_are_refused_naming_their_field() {
    let app = app().await;
    let n8n = MockServer::start().await;
    let admin = app.admin("strict_admin").await;
    let cases = [
        (json!({"slug": "openai/gpt-4o"}), "slug"),
        (json!({"slug": "A"}), "slug"),
        (json!({"timeout_seconds": 0}), "timeout_seconds"),
        (json!({"timeout_seconds": 301}), "timeout_seconds"),
        (
            json!({"chat_webhook_url": "ftp://example.com/x"}),
            "chat_webhook_url",
        ),
        (json!({"fallback_model": "support-bot"}), "fallback_model"),
        (json!({"fallback_model": "no-such-model"}), "fallback_model"),
        (
            json!({"webhook_headers": {"X-Polychat-Signature": "x"}}),
            "webhook_headers",
        ),
    ];
    for (change, field) in cases {
        let mut body = model_body(&n8n, "support-bot");
        for (name, value) in change.as_object().unwrap() {
            body[name] = value.clone();
        }
        let (status, error) = create(&app, &admin, &body).await;
        assert_eq!(status, 422, "{change} -> {error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with(field),
            "{change} -> {error}"
        );
    }
    let (status, _) = json_of(
        app.get("/admin/models?include_inactive=true", Some(&admin))
            .await,
    )
    .await;
    assert_eq!(status, 200);

    // A cycle through another model.
    let mut first = model_body(&n8n, "first");
    first["fallback_model"] = json!("openai/gpt-4o-mini");
    let (status, first) = create(&app, &admin, &first).await;
    assert_eq!(status, 201);
    let mut second = model_body(&n8n, "second");
    second["fallback_model"] = json!("first");
    assert_eq!(create(&app, &admin, &second).await.0, 201);
    let id = first["id"].as_str().unwrap();
    let response = app
        .send(
            Method::PUT,
            &format!("/admin/models/{id}"),
            Some(&admin),
            Some(&json!({"fallback_model": "second"})),
        )
        .await;
    let (status, error) = json_of(response).await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cycle"),
        "{error}"
    );
}

#[tokio::test]
async fn webhook_urls_to_internal_addresses_are_refused_unless_opened() {
    let app = TestApp::spawn().await;
    let admin = app.admin("ssrf_admin").await;
    let internal = [
        "http://localhost/hook",
        "http://127.0.0.2/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://2130706433/hook",
        "http://0x7f.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://100.64.0.1/hook",
    ];
    for url in internal {
        let body = json!({"slug": "probe", "name": "Probe",
            "chat_webhook_url": "https://8.8.8.8/hook", "completions_webhook_url": url});
        let (status, error) = create(&app, &admin, &body).await;
        assert_eq!(
            (status, code(&error)),
            (422, "webhook_url_forbidden"),
            "{url}: {error}"
        );
        assert_eq!(error["error"]["param"], "completions_webhook_url", "{url}");
    }
}

#[tokio::test]
async fn a_webhook_model_answers_v1_and_post_chat_with_the_contract_payload() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!([{"output": "Olá do n8n"}])),
    )
    .await;
    n8n_answering(
        &n8n,
        "/webhook/completion",
        ResponseTemplate::new(200).set_body_raw("um texto", "text/plain"),
    )
    .await;
    let admin = app.admin("hook_admin").await;
    let (_, created) = create(&app, &admin, &model_body(&n8n, "support-bot")).await;
    let secret = created["signing_secret"].as_str().unwrap().to_owned();
    // A user without an OpenRouter key: custom models need none.
    let user = app.user("hook_user", None).await;

    let (_, models) = json_of(app.get("/v1/models", Some(&user)).await).await;
    let listed = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "support-bot");
    assert_eq!(
        listed.map(|m| m["owned_by"].clone()),
        Some(json!("polychat")),
        "{models}"
    );

    let body = json!({"model": "support-bot", "metadata": {"session_id": "sess-42"},
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Oi?"}]});
    let (status, completion) =
        json_of(app.post("/v1/chat/completions", Some(&user), &body).await).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(completion["choices"][0]["message"]["content"], "Olá do n8n");
    assert_eq!(completion["model"], "support-bot");
    assert!(
        completion["usage"]["total_tokens"].as_u64().unwrap() > 0,
        "counted when n8n says nothing"
    );

    let calls = n8n.received_requests().await.unwrap();
    let call = calls.last().unwrap();
    let payload = received_json(call);
    let (_, profile) = json_of(app.get("/user/profile", Some(&user)).await).await;
    assert_eq!(
        payload["messages"],
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Oi?"}])
    );
    assert_eq!(payload["sessionId"], "sess-42");
    assert_eq!(payload["webhook_type"], "chat");
    assert_eq!(payload["model"], "support-bot");
    assert_eq!(payload["userId"], profile["id"]);
    assert_eq!(payload["chatInput"], "Oi?");
    assert_eq!(payload["action"], "sendMessage");
    assert_eq!(payload["stream"], false);
    assert_eq!(header(call, "x-team-token"), "team-secret-value");
    assert!(uuid::Uuid::parse_str(header(call, "x-polychat-delivery")).is_ok());
    assert!(
        signature_verifies(call, &secret),
        "the signature verifies with the secret"
    );
    assert!(
        !signature_verifies(call, "whsec_wrong"),
        "and with no other secret"
    );

    // The legacy completions endpoint goes to the completions webhook with `prompt`.
    let body = json!({"model": "support-bot", "prompt": "Era uma vez"});
    let (status, text) = json_of(app.post("/v1/completions", Some(&user), &body).await).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text["choices"][0]["text"], "um texto");
    let calls = n8n.received_requests().await.unwrap();
    let payload = received_json(calls.last().unwrap());
    assert_eq!(
        (payload["webhook_type"].as_str(), payload["prompt"].as_str()),
        (Some("completion"), Some("Era uma vez"))
    );
    assert_eq!(payload["chatInput"], "Era uma vez");

    // POST /chat: the session id is the chat id.
    let (status, turn) = json_of(
        app.post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Olá", "model": "support-bot"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["message"]["content"], "Olá do n8n");
    assert_eq!(turn["message"]["model"], "support-bot");
    let calls = n8n.received_requests().await.unwrap();
    let payload = received_json(calls.last().unwrap());
    assert_eq!(payload["sessionId"], turn["chat_id"]);
    assert_eq!(payload["chatInput"], "Olá");
}

#[tokio::test]
async fn a_json_lines_stream_becomes_a_v1_stream_and_a_post_chat_stream() {
    let app = app().await;
    let n8n = MockServer::start().await;
    let lines = [
        json!({"type": "begin", "metadata": {"nodeId": "agent"}}),
        json!({"type": "item", "content": "Olá"}),
        json!({"type": "item", "content": ", mundo"}),
        json!({"type": "end"}),
    ]
    .iter()
    .fold(String::new(), |mut body, line| {
        body.push_str(&line.to_string());
        body.push('\n');
        body
    });
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_raw(lines, "application/json"),
    )
    .await;
    let admin = app.admin("stream_admin").await;
    create(&app, &admin, &model_body(&n8n, "streamer")).await;
    let user = app.user("stream_user", None).await;

    let body = json!({"model": "streamer", "stream": true, "messages": [{"role": "user", "content": "Oi"}]});
    let response = app.post("/v1/chat/completions", Some(&user), &body).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let deltas: String = text
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .filter_map(|chunk| {
            chunk["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(deltas, "Olá, mundo");
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
    let payload = received_json(n8n.received_requests().await.unwrap().last().unwrap());
    assert_eq!(payload["stream"], true);

    let response = app
        .post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Oi", "model": "streamer", "stream": true}),
        )
        .await;
    let events = parse_events(&response.text().await.unwrap());
    let streamed: String = events
        .iter()
        .filter(|e| e.name == "delta")
        .filter_map(|e| e.data["content"].as_str())
        .collect();
    assert_eq!(streamed, "Olá, mundo");
    let done = events
        .iter()
        .find(|e| e.name == "done")
        .expect("done event");
    assert_eq!(done.data["message"]["model"], "streamer", "{:?}", done.data);
}

#[tokio::test]
async fn only_allowed_users_see_or_use_a_restricted_or_inactive_model() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!({"text": "ok"})),
    )
    .await;
    let admin = app.admin("perm_admin").await;
    let mut body = model_body(&n8n, "finance-bot");
    body["allowed_usernames"] = json!(["Allowed_One"]);
    let (_, created) = create(&app, &admin, &body).await;
    let allowed = app.user("allowed_one", None).await;
    let other = app.user("someone_else", None).await;
    let ask = json!({"model": "finance-bot", "messages": [{"role": "user", "content": "Saldo?"}]});

    let (status, _) = json_of(app.post("/v1/chat/completions", Some(&allowed), &ask).await).await;
    assert_eq!(status, 200);
    let (status, admin_answer) =
        json_of(app.post("/v1/chat/completions", Some(&admin), &ask).await).await;
    assert_eq!(status, 200, "admins use every model: {admin_answer}");
    let before = n8n.received_requests().await.unwrap().len();
    let (status, error) = json_of(app.post("/v1/chat/completions", Some(&other), &ask).await).await;
    assert_eq!((status, code(&error)), (404, "model_not_found"), "{error}");
    let (_, models) = json_of(app.get("/v1/models", Some(&other)).await).await;
    assert!(!models.to_string().contains("finance-bot"));
    let response = app.get("/v1/models/finance-bot", Some(&other)).await;
    assert_eq!(response.status(), 404);

    // Deactivated: nobody, and on another replica at once.
    let replica = app.spawn_replica().await;
    let id = created["id"].as_str().unwrap();
    let response = app
        .send(
            Method::DELETE,
            &format!("/admin/models/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = app
        .client
        .post(replica.url("/v1/chat/completions"))
        .bearer_auth(&allowed)
        .json(&ask)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "the replica sees the change");
    let (status, error) = json_of(
        app.post(
            "/chat",
            Some(&allowed),
            &json!({"prompt": "x", "model": "no-such-slug"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code(&error)), (404, "model_not_found"));
    assert_eq!(
        n8n.received_requests().await.unwrap().len(),
        before,
        "no call for any refusal"
    );
}

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
    assert_eq!(
        (report["ok"].as_bool(), report["status"].as_u64()),
        (Some(false), Some(502)),
        "{report}"
    );
    assert!(report["error"].is_string());
}

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
