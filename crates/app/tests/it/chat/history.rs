//! Reading and managing chats: history pages and the cache, the chat list, renaming
//! and deletion.

use serde_json::{Value, json};

use super::support::{answer, history, new_chat, prompt, user};
use crate::harness::TestApp;

#[tokio::test]
async fn history_is_oldest_first_with_the_contracts_shape() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "An answer.", (7, 3)).await;
    let chat = new_chat(&app, &token, "First question").await;
    for text in ["Second question", "Third question"] {
        let (status, _, _) = prompt(&app, &token, &json!({"chat_id": chat, "prompt": text})).await;
        assert_eq!(status, 200);
    }

    let (status, _, body) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["chat_id"], chat);
    assert_eq!(body["title"], "First question");
    assert_eq!(body["model"], "openai/gpt-4o-mini");
    for field in ["created_at", "updated_at"] {
        assert!(body[field].is_string(), "{field}: {body}");
    }
    assert_eq!(
        body["usage_total"],
        json!({"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30})
    );
    let messages = body["messages"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("user", "First question"),
            ("assistant", "An answer."),
            ("user", "Second question"),
            ("assistant", "An answer."),
            ("user", "Third question"),
            ("assistant", "An answer."),
        ]
    );
    let times: Vec<&str> = messages
        .iter()
        .map(|m| m["created_at"].as_str().unwrap())
        .collect();
    let parsed: Vec<_> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let assistant = &messages[1];
    assert_eq!(assistant["model"], "openai/gpt-4o-mini");
    assert_eq!(
        assistant["usage"],
        json!({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10})
    );
    assert!(messages[0].get("usage").is_none_or(Value::is_null));
}

#[tokio::test]
async fn history_pages_with_limit_and_before() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let chat = new_chat(&app, &token, "prompt 0").await;
    for i in 1..4 {
        let body = json!({"chat_id": chat, "prompt": format!("prompt {i}")});
        assert_eq!(prompt(&app, &token, &body).await.0, 200);
    }
    // 8 messages: prompt 0, ok, prompt 1, ok, prompt 2, ok, prompt 3, ok.
    let (status, _, all) = history(&app, &token, &format!("chat_id={chat}&limit=200")).await;
    assert_eq!(status, 200);
    let all_ids: Vec<String> = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all_ids.len(), 8);

    let (_, _, newest) = history(&app, &token, &format!("chat_id={chat}&limit=3")).await;
    let ids = |page: &Value| -> Vec<String> {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&newest), all_ids[5..]);
    let before = &all_ids[5];
    let (status, _, older) = history(
        &app,
        &token,
        &format!("chat_id={chat}&limit=3&before={before}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&older), all_ids[2..5]);
    let (_, _, oldest) = history(
        &app,
        &token,
        &format!("chat_id={chat}&limit=3&before={}", all_ids[2]),
    )
    .await;
    assert_eq!(ids(&oldest), all_ids[..2]);

    for bad in ["limit=0", "limit=201", "limit=x", "before=nope"] {
        let (status, _, body) = history(&app, &token, &format!("chat_id={chat}&{bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
}

#[tokio::test]
async fn the_second_read_is_a_cache_hit_and_a_write_makes_it_a_miss() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "cached answer", (2, 2)).await;
    let chat = new_chat(&app, &token, "Cache me").await;
    let query = format!("chat_id={chat}");

    let (status, first_cache, first) = history(&app, &token, &query).await;
    assert_eq!((status, first_cache.as_str()), (200, "MISS"));
    let (status, second_cache, second) = history(&app, &token, &query).await;
    assert_eq!((status, second_cache.as_str()), (200, "HIT"));
    assert_eq!(first, second);

    let body = json!({"chat_id": chat, "prompt": "One more"});
    assert_eq!(prompt(&app, &token, &body).await.0, 200);
    let (_, cache, after) = history(&app, &token, &query).await;
    assert_eq!(cache, "MISS");
    assert_eq!(after["messages"].as_array().unwrap().len(), 4);
    assert_eq!(after["messages"][2]["content"], "One more");
    assert_eq!(history(&app, &token, &query).await.1, "HIT");

    let rename = app
        .client
        .patch(app.url(&format!("/chats/{chat}")))
        .bearer_auth(&token)
        .json(&json!({"title": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rename.status(), 200);
    let (_, cache, renamed) = history(&app, &token, &query).await;
    assert_eq!(cache, "MISS");
    assert_eq!(renamed["title"], "Renamed");
}

#[tokio::test]
async fn chats_are_listed_newest_first_with_a_cursor() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(new_chat(&app, &token, &format!("chat number {i}")).await);
    }
    // Continuing the oldest chat makes it the most recently updated.
    let body = json!({"chat_id": created[0], "prompt": "bump"});
    assert_eq!(prompt(&app, &token, &body).await.0, 200);
    let expected = [
        &created[0],
        &created[4],
        &created[3],
        &created[2],
        &created[1],
    ];

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/chats?limit=2&cursor={c}"),
            None => "/chats?limit=2".to_owned(),
        };
        let response = app.get(&path, Some(&token)).await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        for item in items {
            for field in ["chat_id", "title", "model", "created_at", "updated_at"] {
                assert!(item[field].is_string(), "{field}: {item}");
            }
            assert!(item["usage_total"]["total_tokens"].is_u64(), "{item}");
            seen.push(item["chat_id"].as_str().unwrap().to_owned());
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "the cursor does not advance");
    }
    let expected: Vec<String> = expected.iter().map(|s| (*s).clone()).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
    let bad = app.get("/chats?cursor=garbage!", Some(&token)).await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_chat_is_renamed() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let chat = new_chat(&app, &token, "Original title").await;

    let patch = |title: Value| {
        app.client
            .patch(app.url(&format!("/chats/{chat}")))
            .bearer_auth(&token)
            .json(&json!({ "title": title }))
            .send()
    };
    let response = patch(json!("Rust projects")).await.unwrap();
    assert_eq!(response.status(), 200);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["chat_id"], chat);
    assert_eq!(summary["title"], "Rust projects");
    let listed: Value = app.get("/chats", Some(&token)).await.json().await.unwrap();
    assert_eq!(listed["items"][0]["title"], "Rust projects");

    let empty = patch(json!("")).await.unwrap();
    assert_eq!(empty.status(), 422);
}

#[tokio::test]
async fn a_deleted_chat_is_gone_with_its_cache() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let chat = new_chat(&app, &token, "Delete me").await;
    let kept = new_chat(&app, &token, "Keep me").await;
    let query = format!("chat_id={chat}");
    assert_eq!(history(&app, &token, &query).await.1, "MISS");
    assert_eq!(history(&app, &token, &query).await.1, "HIT");
    let pages = format!("cache:{{{chat}}}:pages");
    assert!(super::support::redis_has(&app, &pages).await);

    let delete = || {
        app.client
            .delete(app.url(&format!("/chats/{chat}")))
            .bearer_auth(&token)
            .send()
    };
    let response = delete().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    assert!(!super::support::redis_has(&app, &pages).await);

    let (status, cache, body) = history(&app, &token, &query).await;
    assert_eq!(
        status, 404,
        "a cached page outlived the chat: {cache} {body}"
    );
    assert_eq!(super::support::code(&body), "not_found");
    assert_eq!(delete().await.unwrap().status(), 404);
    let continued = prompt(&app, &token, &json!({"chat_id": chat, "prompt": "hi"})).await;
    assert_eq!(continued.0, 404);
    let listed: Value = app.get("/chats", Some(&token)).await.json().await.unwrap();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["chat_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [kept.as_str()]);
    assert_eq!(
        history(&app, &token, &format!("chat_id={kept}")).await.0,
        200
    );
}
