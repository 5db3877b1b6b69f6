//! Whole-app tests of the registry: the admin guard, versions and restore, export and
//! import, deactivation and purge, and settings refused naming their field (the SSRF
//! rule at save among them).

use reqwest::Method;
use serde_json::json;
use wiremock::MockServer;

use super::support::{app, create, json_of, model_body};
use crate::chat::support::{KEY, code};
use crate::harness::TestApp;

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
