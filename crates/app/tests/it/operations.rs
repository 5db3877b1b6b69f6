//! Operations routes and the HTTP conventions every route shares.

use serde_json::{Value, json};

use crate::harness::TestApp;

#[tokio::test]
async fn health_ready_and_docs() {
    let app = TestApp::spawn().await;
    let health = app.get("/health", None).await;
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));

    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    for store in ["postgres", "mongodb", "redis", "embeddings"] {
        assert_eq!(body[store], "ok", "{store}: {body}");
    }

    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let typed = app.get("/docs", None).await;
    assert_eq!(
        typed.status(),
        200,
        "/docs without the slash leads to the UI"
    );
    assert!(typed.text().await.unwrap().contains("swagger"));
    let spec: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/register",
        "/login",
        "/chat",
        "/chats",
        "/user/preferences",
        "/messages/search",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the spec"
        );
    }
}

#[tokio::test]
async fn errors_follow_the_contract() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/nowhere"))
        .header("X-Request-Id", "client-id-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-request-id"], "client-id-123");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    let wrong_method = app.client.delete(app.url("/login")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method.headers()["allow"],
        "POST",
        "RFC 9110 wants Allow"
    );
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    // Every method a route has is named, a route with a pattern segment included.
    for (path, allow) in [
        ("/chats/0", "GET, DELETE, PATCH"),
        ("/v1/models/openai/gpt-4o", "GET"),
    ] {
        let response = app
            .client
            .request(reqwest::Method::TRACE, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{path}");
        assert_eq!(response.headers()["allow"], allow, "{path}");
    }

    let broken = app
        .client
        .post(app.url("/login"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");

    let missing_field = app.post("/login", None, &json!({"username": "ana"})).await;
    assert_eq!(missing_field.status(), 422);
    let body: Value = missing_field.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password")
    );

    let huge = "x".repeat(1024 * 1024 + 10);
    let too_large = app
        .post(
            "/register",
            None,
            &json!({"username": "ana", "password": huge}),
        )
        .await;
    assert_eq!(too_large.status(), 413);
    let body: Value = too_large.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}
