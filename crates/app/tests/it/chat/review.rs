//! Answers validated by people and reviewers: `PATCH /chats/{chat_id}/messages/{id}`
//! by the chat's owner or an admin, refused for anyone else (404) and for a user's own
//! message (422); a correction keeps the model's text as `original_content` and is
//! what the history (after a MISS) and search give from then on.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{answer, code, history, prompt, user};
use crate::harness::TestApp;

async fn review(
    app: &TestApp,
    token: &str,
    chat: &str,
    message: &str,
    body: &Value,
) -> (u16, Value) {
    let path = format!("/chats/{chat}/messages/{message}");
    let response = app
        .send(Method::PATCH, &path, Some(token), Some(body))
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A chat with one answered prompt: its id, the user message's id and the answer's.
async fn answered(app: &TestApp, token: &str, text: &str) -> (String, String, String) {
    let (status, _, turn) = prompt(app, token, &json!({"prompt": text, "sector": "suporte"})).await;
    assert_eq!(status, 200, "{turn}");
    let chat = turn["chat_id"].as_str().expect("chat_id").to_owned();
    let (_, _, page) = history(app, token, &format!("chat_id={chat}")).await;
    let id = |n: usize| page["messages"][n]["id"].as_str().expect("id").to_owned();
    (chat, id(0), id(1))
}

#[tokio::test]
async fn the_owner_validates_and_corrects_an_answer_and_everything_follows() {
    let app = TestApp::spawn().await;
    answer(&app.upstream, "O reembolso leva 30 dias.", (5, 5)).await;
    let token = user(&app).await;
    let (chat, question, reply) =
        answered(&app, &token, "Em quanto tempo cai o reembolso do cartão?").await;
    let (_, _, page) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(page["messages"][1]["validated_by"], "pending", "{page}");
    assert!(
        page["messages"][0].get("validated_by").is_none(),
        "a user's message has none"
    );
    assert_eq!(
        history(&app, &token, &format!("chat_id={chat}")).await.1,
        "HIT"
    );

    let corrected = json!({
        "validated_by": "human",
        "operator_name": "Joana Lima",
        "content": "O reembolso cai em até 5 dias úteis no cartão."
    });
    let (status, message) = review(&app, &token, &chat, &reply, &corrected).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["validated_by"], "human");
    assert_eq!(message["operator_name"], "Joana Lima");
    assert_eq!(message["content"], corrected["content"]);
    assert_eq!(message["original_content"], "O reembolso leva 30 dias.");

    let (status, cache, page) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(
        (status, cache.as_str()),
        (200, "MISS"),
        "the cached page went"
    );
    assert_eq!(page["messages"][1], message, "the page shows the review");

    // A second correction keeps the model's own text, not the first correction.
    let again = json!({"content": "O reembolso cai em até 5 dias úteis."});
    let (status, message) = review(&app, &token, &chat, &reply, &again).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["original_content"], "O reembolso leva 30 dias.");
    assert_eq!(message["validated_by"], "human", "absent fields stay");

    let query = json!({"query": "prazo do reembolso no cartão", "similarity_threshold": 0.5});
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found: Value = app
            .post("/messages/search", Some(&token), &query)
            .await
            .json()
            .await
            .unwrap();
        let hits = found["items"].as_array().cloned().unwrap_or_default();
        if hits.iter().any(|hit| hit["content"] == again["content"]) {
            assert!(
                !hits
                    .iter()
                    .any(|hit| hit["content"] == "O reembolso leva 30 dias."),
                "the model's text is no longer found: {found}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "search never found the correction: {found}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (status, error) = review(
        &app,
        &token,
        &chat,
        &question,
        &json!({"validated_by": "ai"}),
    )
    .await;
    assert_eq!(
        (status, code(&error)),
        (422, "validation_failed"),
        "{error}"
    );
    assert_eq!(error["error"]["param"], "message_id");
}

#[tokio::test]
async fn an_admin_may_review_any_answer_and_other_users_find_nothing() {
    let app = TestApp::spawn().await;
    answer(&app.upstream, "Tente reiniciar o roteador.", (5, 5)).await;
    let owner = user(&app).await;
    let (chat, _, reply) = answered(&app, &owner, "Minha internet caiu, o que faço?").await;

    let stranger = user(&app).await;
    let (status, error) = review(
        &app,
        &stranger,
        &chat,
        &reply,
        &json!({"validated_by": "ai"}),
    )
    .await;
    assert_eq!((status, code(&error)), (404, "not_found"), "{error}");

    let name = format!("a{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let admin = app.admin(&name).await;
    let (status, message) =
        review(&app, &admin, &chat, &reply, &json!({"validated_by": "ai"})).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["validated_by"], "ai");
    assert!(
        message.get("original_content").is_none(),
        "nothing was corrected"
    );

    for (body, field) in [
        (json!({"validated_by": "human"}), "operator_name"),
        (json!({"validated_by": "robot"}), "validated_by"),
        (json!({"content": "   "}), "content"),
        (json!({"operator_name": ""}), "operator_name"),
    ] {
        let (status, error) = review(&app, &owner, &chat, &reply, &body).await;
        assert_eq!(
            (status, code(&error)),
            (422, "validation_failed"),
            "{body}: {error}"
        );
        assert_eq!(error["error"]["param"], field, "{body}: {error}");
    }
    let (status, message) = review(
        &app,
        &owner,
        &chat,
        &reply,
        &json!({"validated_by": "pending", "operator_name": "Ana"}),
    )
    .await;
    assert_eq!(status, 200, "{message}");
    assert!(
        message.get("operator_name").is_none(),
        "back to pending, the name goes"
    );
}

#[tokio::test]
async fn a_chat_moves_between_sectors_and_the_lists_follow() {
    let app = TestApp::spawn().await;
    answer(&app.upstream, "Vamos ver.", (5, 5)).await;
    let token = user(&app).await;
    let (chat, _, _) = answered(&app, &token, "Meu boleto venceu, e agora?").await;
    let listed = |sector: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let list: Value = app
                .get(&format!("/chats?sector={sector}"), Some(&token))
                .await
                .json()
                .await
                .unwrap();
            list["items"].as_array().expect("items").len()
        }
    };
    assert_eq!(
        (listed("suporte").await, listed("financeiro").await),
        (1, 0)
    );

    let path = format!("/chats/{chat}");
    let moved = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(&json!({"sector": "financeiro"})),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["sector"], "financeiro", "{moved}");
    assert_ne!(moved["title"], Value::Null, "the title stays");
    assert_eq!(
        (listed("suporte").await, listed("financeiro").await),
        (0, 1)
    );
    let (_, _, page) = history(&app, &token, &format!("chat_id={chat}")).await;
    assert_eq!(page["sector"], "financeiro", "the cached page went: {page}");

    let unchanged = app
        .send(Method::PATCH, &path, Some(&token), Some(&json!({})))
        .await;
    assert_eq!(unchanged.status(), 200, "an empty change changes nothing");
    let unchanged: Value = unchanged.json().await.unwrap();
    assert_eq!(unchanged["updated_at"], moved["updated_at"], "{unchanged}");
    for (body, field) in [
        (json!({"sector": "rh"}), "sector"),
        (json!({"title": ""}), "title"),
    ] {
        let response = app
            .send(Method::PATCH, &path, Some(&token), Some(&body))
            .await;
        let status = response.status().as_u16();
        let error: Value = response.json().await.unwrap();
        assert_eq!(
            (status, error["error"]["param"].as_str()),
            (422, Some(field)),
            "{body}: {error}"
        );
    }
    let stranger = user(&app).await;
    let refused = app
        .send(
            Method::PATCH,
            &path,
            Some(&stranger),
            Some(&json!({"sector": "vendas"})),
        )
        .await;
    assert_eq!(refused.status(), 404);
    let cleared = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(&json!({"sector": null})),
        )
        .await;
    let cleared: Value = cleared.json().await.unwrap();
    assert_eq!(cleared["sector"], Value::Null, "{cleared}");
}
