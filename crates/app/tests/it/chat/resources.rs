//! Chats as resources: `POST /chats` creates an empty chat, `GET /chats/{chat_id}`
//! reads it as `GET /chat?chat_id=` does, and labels (project, sector) are stored,
//! returned, validated and filtered on.

mod labels;

use serde_json::{Value, json};

use super::support::{answer, code, history, prompt, status_cache_json, user};
use crate::harness::TestApp;

/// `POST /chats`; returns status and JSON.
pub(super) async fn create(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    let response = app.post("/chats", Some(token), body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET /chats/{chat_id}[?query]`; returns status, `X-Cache` and JSON.
pub(super) async fn read(app: &TestApp, token: &str, path: &str) -> (u16, String, Value) {
    let response = app.get(&format!("/chats/{path}"), Some(token)).await;
    status_cache_json(response).await
}

#[tokio::test]
async fn an_empty_chat_is_created_then_continued_and_read_by_path() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let (status, chat) = create(&app, &token, &json!({"title": "Plano de vendas"})).await;
    assert_eq!(status, 201, "{chat}");
    assert_eq!(chat["title"], "Plano de vendas");
    assert_eq!(
        chat["model"], "openai/gpt-4o-mini",
        "the server's default model"
    );
    assert_eq!(chat["message_count"], 0);
    assert_eq!(
        (&chat["project"], &chat["sector"]),
        (&Value::Null, &Value::Null)
    );
    let id = chat["chat_id"].as_str().expect("chat_id").to_owned();

    let (status, _, empty) = read(&app, &token, &id).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["messages"], json!([]));
    let listed = app
        .get("/chats", Some(&token))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["chat_id"], id.as_str(), "listed at once");

    answer(&app.upstream, "Primeiro, metas.", (3, 4)).await;
    let (status, _, turn) = prompt(
        &app,
        &token,
        &json!({"chat_id": id, "prompt": "Por onde começo?"}),
    )
    .await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["chat_id"], id.as_str());

    let (status, cache, by_path) = read(&app, &token, &id).await;
    assert_eq!((status, cache.as_str()), (200, "MISS"), "{by_path}");
    assert_eq!(
        by_path["title"], "Plano de vendas",
        "the first prompt keeps the title"
    );
    assert_eq!(by_path["messages"].as_array().map(Vec::len), Some(2));
    let (_, cache, by_query) = history(&app, &token, &format!("chat_id={id}")).await;
    assert_eq!(cache, "HIT", "both routes share the cached page");
    assert_eq!(by_path, by_query, "the same body on both routes");
    let (_, _, page) = read(&app, &token, &format!("{id}?limit=1")).await;
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["messages"][0]["role"], "assistant");
    let before = page["next_before"].as_str().expect("an older page");
    let (_, _, older) = read(&app, &token, &format!("{id}?limit=1&before={before}")).await;
    assert_eq!(older["messages"][0]["role"], "user");
}

#[tokio::test]
async fn a_created_chat_takes_the_profiles_model_or_the_one_asked() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let profile = json!({"default_model": "anthropic/claude-3.5-haiku"});
    let updated = app
        .send(
            reqwest::Method::PUT,
            "/user/profile",
            Some(&token),
            Some(&profile),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let (_, chat) = create(&app, &token, &json!({})).await;
    assert_eq!(chat["model"], "anthropic/claude-3.5-haiku");
    assert_eq!(chat["title"], "New chat");
    let (_, chat) = create(&app, &token, &json!({"model": "openai/gpt-4o"})).await;
    assert_eq!(chat["model"], "openai/gpt-4o");
}

#[tokio::test]
async fn another_users_chat_is_404_on_both_read_routes() {
    let app = TestApp::spawn().await;
    let alice = user(&app).await;
    let mallory = user(&app).await;
    let (_, chat) = create(
        &app,
        &alice,
        &json!({"title": "Alice", "project": "segredo"}),
    )
    .await;
    let id = chat["chat_id"].as_str().expect("chat_id");
    assert_eq!(read(&app, &alice, id).await.0, 200);
    assert_eq!(read(&app, &alice, id).await.1, "HIT");
    let (status, _, body) = read(&app, &mallory, id).await;
    assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    let (status, _, body) = history(&app, &mallory, &format!("chat_id={id}")).await;
    assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    let (status, _, body) = read(&app, &alice, "not-a-chat-id").await;
    assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_eq!(read(&app, &alice, &unknown).await.0, 404);
    let none = app.get(&format!("/chats/{id}"), None).await;
    assert_eq!(none.status(), 401);
}
