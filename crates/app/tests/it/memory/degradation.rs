//! Without the embeddings server the app starts, answers prompts (without memories) and
//! reports the embeddings as not ok while staying ready.

use serde_json::{Value, json};

use super::{answer, last_system, ready_user, turn};
use crate::harness::TestApp;

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn chat_answers_without_memories_when_embeddings_are_down() {
    let url = format!("http://127.0.0.1:{}/v1", closed_port());
    let app = TestApp::spawn_with(&[("EMBEDDINGS_BASE_URL", &url)]).await;
    answer(&app, "Olá!").await;
    let token = ready_user(&app).await;

    let first = turn(&app, &token, None, "sou desenvolvedor de software").await;
    assert_eq!(first["message"]["content"], "Olá!");
    assert_eq!(
        first["memories"],
        json!({"used": [], "saved": []}),
        "{first}"
    );
    let chat = first["chat_id"].as_str().unwrap().to_owned();
    let second = turn(&app, &token, Some(&chat), "fale comigo de maneira formal").await;
    assert_eq!(second["memories"]["saved"], json!([]));
    assert!(
        last_system(&app).await.is_empty(),
        "no memory message without embeddings"
    );

    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_ne!(body["embeddings"], "ok", "{body}");
    for store in ["postgres", "mongodb", "redis"] {
        assert_eq!(body[store], "ok", "{store}: {body}");
    }

    // What needs embeddings says so instead of pretending.
    let added = app
        .post(
            "/user/preferences",
            Some(&token),
            &json!({"text": "gosto de jazz"}),
        )
        .await;
    assert_eq!(added.status(), 503);
    let search = app
        .post(
            "/messages/search",
            Some(&token),
            &json!({"query": "software"}),
        )
        .await;
    assert_eq!(search.status(), 503);
    let listed = app.get("/user/preferences", Some(&token)).await;
    assert_eq!(listed.status(), 200);
}
