//! What the first fuzzing runs found, pinned by name: the chat list's cursor is a
//! position any value of its documented shape names, `POST /chat` says which chat it
//! answered in before its body, integers may be written `2.0`, a validation error
//! names its parameter, and an optional body that is there but wrong is refused.

use serde_json::{Value, json};

use crate::chat::support::{KEY, answer, answer_stream, sse_body};
use crate::harness::TestApp;

async fn error_param(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("error body");
    (status, body["error"]["param"].clone())
}

#[tokio::test]
async fn post_chat_names_its_chat_in_x_chat_id_whole_or_streamed() {
    let app = TestApp::spawn().await;
    let token = app.user("chat_id_header", Some(KEY)).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let whole = app
        .post("/chat", Some(&token), &json!({"prompt": "hello"}))
        .await;
    assert_eq!(whole.status(), 200);
    let header = whole.headers()["x-chat-id"].to_str().unwrap().to_owned();
    let turn: Value = whole.json().await.unwrap();
    assert_eq!(turn["chat_id"], header.as_str());

    let app = TestApp::spawn().await;
    let token = app.user("chat_id_stream", Some(KEY)).await;
    answer_stream(&app.upstream, sse_body(&["o", "k"], (1, 1))).await;
    let streamed = app
        .post(
            "/chat",
            Some(&token),
            &json!({"prompt": "hello", "stream": true}),
        )
        .await;
    assert_eq!(streamed.status(), 200);
    let header = streamed.headers()["x-chat-id"].to_str().unwrap().to_owned();
    let text = streamed.text().await.unwrap();
    assert!(
        text.contains(&format!("\"chat_id\":\"{header}\"")),
        "{text}"
    );
}

#[tokio::test]
async fn a_chats_cursor_is_a_position_and_any_value_of_its_shape_is_one() {
    let app = TestApp::spawn().await;
    let token = app.user("cursor_shape", None).await;
    for title in ["one", "two"] {
        let created = app
            .post("/chats", Some(&token), &json!({ "title": title }))
            .await;
        assert_eq!(created.status(), 201);
    }
    let page: Value = app
        .get("/chats?limit=1", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    let (millis, id) = cursor.split_once('.').unwrap();
    assert!(millis.bytes().all(|b| b.is_ascii_digit()), "{cursor}");
    assert!(polychat_domain::ChatId::parse(id).is_ok(), "{cursor}");
    // A position no chat ever had is still a position: the chats after it.
    for cursor in [
        "0.00000000-0000-0000-0000-000000000000",
        "999999999999999.ffffffff-ffff-ffff-ffff-ffffffffffff",
    ] {
        let response = app
            .get(&format!("/chats?cursor={cursor}"), Some(&token))
            .await;
        assert_eq!(response.status(), 200, "{cursor}");
    }
    let response = app.get("/chats?cursor=garbage", Some(&token)).await;
    assert_eq!(error_param(response).await, (422, json!("cursor")));
}

#[tokio::test]
async fn an_integer_may_be_written_with_a_zero_fraction() {
    let app = TestApp::spawn().await;
    let token = app.user("whole_numbers", Some(KEY)).await;
    let created = app
        .post(
            "/user/api-keys",
            Some(&token),
            &json!({"name": "float days", "expires_in_days": 30.0}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let half = app
        .post(
            "/user/api-keys",
            Some(&token),
            &json!({"name": "half a day", "expires_in_days": 2.5}),
        )
        .await;
    assert_eq!(error_param(half).await, (422, json!("expires_in_days")));
    answer(&app.upstream, "ok", (1, 1)).await;
    let completion = app
        .post(
            "/v1/chat/completions",
            Some(&token),
            &json!({"model": "openai/gpt-4o-mini", "max_tokens": 16.0,
                    "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await;
    assert_eq!(completion.status(), 200);
}

#[tokio::test]
async fn a_malformed_before_or_last_event_id_is_named_in_param() {
    let app = TestApp::spawn().await;
    let token = app.user("named_params", None).await;
    let before = app
        .get("/chat?chat_id=x&before=not-an-id", Some(&token))
        .await;
    assert_eq!(error_param(before).await, (422, json!("before")));
    let chat = "01a23ebc-dffa-763b-b08a-5b32f5bf9a8c";
    let resume = app
        .client
        .get(app.url(&format!("/chats/{chat}/messages/{chat}/stream")))
        .bearer_auth(&token)
        .header("Last-Event-ID", "null")
        .send()
        .await
        .unwrap();
    assert_eq!(error_param(resume).await, (422, json!("Last-Event-ID")));
}

#[tokio::test]
async fn a_model_test_without_a_body_calls_the_chat_webhook_and_a_wrong_body_is_refused() {
    let app = TestApp::spawn_with(&[("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")]).await;
    let token = app.admin("optional_body").await;
    let webhook = format!("{}/webhook", app.upstream.uri());
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/webhook"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({"output": "ok"})))
        .mount(&app.upstream)
        .await;
    let body = json!({"slug": "body-test", "name": "Body test",
        "chat_webhook_url": webhook, "completions_webhook_url": webhook});
    let created: Value = app
        .post("/admin/models", Some(&token), &body)
        .await
        .json()
        .await
        .unwrap();
    let test = app.url(&format!(
        "/admin/models/{}/test",
        created["id"].as_str().unwrap()
    ));
    let bare = app
        .client
        .post(&test)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 200);
    // A misspelt field was once taken for no body at all, and the chat webhook called.
    let misspelt = app
        .client
        .post(&test)
        .bearer_auth(&token)
        .json(&json!({"webhook_kind": "completion"}))
        .send()
        .await
        .unwrap();
    assert_eq!(misspelt.status(), 422);
    let not_json = app
        .client
        .post(&test)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
}
