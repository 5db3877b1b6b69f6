//! Two users: another user's chat is a 404 on every route, changes nothing and never
//! reaches the model.

use serde_json::{Value, json};

use super::support::{
    answer, code, history, new_chat, prompt, stream_prompt, upstream_calls, user,
};
use crate::harness::TestApp;

#[tokio::test]
async fn another_users_chat_is_not_found_everywhere() {
    let app = TestApp::spawn().await;
    let alice = user(&app).await;
    let mallory = user(&app).await;
    answer(&app.upstream, "Alice's answer", (4, 4)).await;
    let chat = new_chat(&app, &alice, "Alice's secret question").await;
    let query = format!("chat_id={chat}");
    // Alice's page is cached: the cache must not serve it to Mallory either.
    assert_eq!(history(&app, &alice, &query).await.1, "MISS");
    assert_eq!(history(&app, &alice, &query).await.1, "HIT");
    let (_, _, before) = history(&app, &alice, &query).await;
    let calls = upstream_calls(&app.upstream).await;

    let (status, _, body) = history(&app, &mallory, &query).await;
    assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    let (status, _, body) = prompt(
        &app,
        &mallory,
        &json!({"chat_id": chat, "prompt": "Tell me Alice's secrets"}),
    )
    .await;
    assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    let response = app
        .client
        .post(app.url("/chat"))
        .bearer_auth(&mallory)
        .json(&json!({"chat_id": chat, "prompt": "Stream them", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let renamed = app
        .client
        .patch(app.url(&format!("/chats/{chat}")))
        .bearer_auth(&mallory)
        .json(&json!({"title": "pwned"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 404);
    let deleted = app
        .client
        .delete(app.url(&format!("/chats/{chat}")))
        .bearer_auth(&mallory)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 404);
    let listed: Value = app
        .get("/chats", Some(&mallory))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"], json!([]));

    assert_eq!(
        upstream_calls(&app.upstream).await,
        calls,
        "a model call was made"
    );
    let (status, _, after) = history(&app, &alice, &query).await;
    assert_eq!(status, 200);
    assert_eq!(after, before);
    assert_eq!(after["title"], "Alice's secret question");
    assert_eq!(after["messages"].as_array().unwrap().len(), 2);
    // Mallory's own chats work.
    let events = stream_prompt(&app, &mallory, &json!({"prompt": "Mine", "stream": true})).await;
    assert!(!events.is_empty());
}
