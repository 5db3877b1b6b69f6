//! Project and sector: stored and returned on every chat shape, validated with the
//! contract's 422, settable when `POST /chat` creates a chat, and filters of the list.

use serde_json::{Value, json};

use super::{create, read};
use crate::chat::support::{answer, code, prompt, user};
use crate::harness::TestApp;

async fn listed(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let response = app.get(&format!("/chats?{query}"), Some(token)).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|c| c["chat_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[tokio::test]
async fn labels_round_trip_and_filter_the_list() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let (status, both) = create(
        &app,
        &token,
        &json!({"project": "site-2026.v1_a", "sector": "vendas"}),
    )
    .await;
    assert_eq!(status, 201, "{both}");
    assert_eq!(
        (both["project"].as_str(), both["sector"].as_str()),
        (Some("site-2026.v1_a"), Some("vendas"))
    );
    let (_, project_only) = create(&app, &token, &json!({"project": "site-2026.v1_a"})).await;
    let (_, sector_only) = create(&app, &token, &json!({"sector": "vendas"})).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let labelled = json!({"prompt": "Oi", "project": "suporte-interno", "sector": "suporte"});
    let (status, _, turn) = prompt(&app, &token, &labelled).await;
    assert_eq!(status, 200, "{turn}");
    let by_prompt = turn["chat_id"].as_str().expect("chat_id").to_owned();

    let (_, _, chat) = read(&app, &token, &by_prompt).await;
    assert_eq!(
        (chat["project"].as_str(), chat["sector"].as_str()),
        (Some("suporte-interno"), Some("suporte"))
    );
    let id = |chat: &Value| chat["chat_id"].as_str().expect("chat_id").to_owned();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let (_, all) = listed(&app, &token, "").await;
    assert_eq!(ids(&all).len(), 4);
    let listed_both = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chat_id"] == both["chat_id"])
        .cloned();
    assert_eq!(
        listed_both.map(|c| c["sector"].clone()),
        Some(json!("vendas")),
        "summaries carry labels"
    );
    let (_, by_project) = listed(&app, &token, "project=site-2026.v1_a").await;
    assert_eq!(ids(&by_project), sorted(vec![id(&both), id(&project_only)]));
    let (_, by_sector) = listed(&app, &token, "sector=vendas").await;
    assert_eq!(ids(&by_sector), sorted(vec![id(&both), id(&sector_only)]));
    let (_, by_both) = listed(&app, &token, "project=site-2026.v1_a&sector=vendas").await;
    assert_eq!(ids(&by_both), vec![id(&both)]);
    let (_, none) = listed(&app, &token, "project=nada").await;
    assert_eq!(ids(&none), Vec::<String>::new());
    let (_, other_user) = listed(&app, &user(&app).await, "sector=vendas").await;
    assert_eq!(ids(&other_user), Vec::<String>::new());
}

#[tokio::test]
async fn bad_labels_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = user(&app).await;
    let long = "x".repeat(65);
    for (body, field) in [
        (json!({"project": ""}), "project"),
        (json!({"project": "Upper"}), "project"),
        (json!({"project": "a/b"}), "project"),
        (json!({"project": long}), "project"),
        (json!({"sector": "marketing"}), "sector"),
        (json!({"sector": "Vendas"}), "sector"),
        (json!({"title": "  "}), "title"),
    ] {
        let (status, error) = create(&app, &token, &body).await;
        assert_eq!(
            (status, code(&error)),
            (422, "validation_failed"),
            "{body}: {error}"
        );
        let message = error["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{body}: {message}");
    }
    let (status, _, error) = prompt(
        &app,
        &token,
        &json!({"prompt": "Oi", "sector": "marketing"}),
    )
    .await;
    assert_eq!(
        (status, code(&error)),
        (422, "validation_failed"),
        "{error}"
    );
    let (status, error) = listed(&app, &token, "sector=marketing").await;
    assert_eq!(
        (status, code(&error)),
        (422, "validation_failed"),
        "{error}"
    );
    assert_eq!(
        ids(&listed(&app, &token, "").await.1),
        Vec::<String>::new(),
        "nothing was created"
    );
}

#[tokio::test]
async fn the_sector_list_is_a_setting() {
    let app = TestApp::spawn_with(&[("SECTORS", "rh,ti")]).await;
    let token = user(&app).await;
    let (status, chat) = create(&app, &token, &json!({"sector": "ti"})).await;
    assert_eq!(
        (status, chat["sector"].as_str()),
        (201, Some("ti")),
        "{chat}"
    );
    let (status, error) = create(&app, &token, &json!({"sector": "vendas"})).await;
    assert_eq!(
        (status, code(&error)),
        (422, "validation_failed"),
        "{error}"
    );
}
