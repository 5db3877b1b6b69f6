//! Semantic search over the user's past messages: by meaning, within a chat, limited,
//! thresholded; a deleted chat's messages are gone from it, its learned preferences stay.

use serde_json::json;

use super::{
    answer, delete, found, preference_texts, ready_user, search, search_until, texts, turn,
};
use crate::harness::TestApp;

#[tokio::test]
async fn finds_past_messages_by_meaning_and_respects_the_filters() {
    let app = TestApp::spawn().await;
    answer(
        &app,
        "Crie um Cargo.toml na raiz com [workspace] e ponha cada crate em crates/.",
    )
    .await;
    let token = ready_user(&app).await;
    let rust = turn(
        &app,
        &token,
        None,
        "Como eu organizo um projeto Rust com vários crates num workspace?",
    )
    .await;
    let rust_chat = rust["chat_id"].as_str().unwrap().to_owned();
    let cake = turn(
        &app,
        &token,
        None,
        "Me passa uma receita de bolo de cenoura com cobertura de chocolate",
    )
    .await;
    let cake_chat = cake["chat_id"].as_str().unwrap().to_owned();

    // Other words, same meaning; indexing happens after the response, so wait for it.
    let hits = search_until(
        &app,
        &token,
        &json!({"query": "estrutura de projetos em Rust"}),
        |hits| found(hits, "vários crates"),
    )
    .await;
    let best = &hits[0];
    assert!(
        best["content"].as_str().unwrap().contains("crates"),
        "{hits:?}"
    );
    assert_eq!(best["chat_id"], rust_chat.as_str());
    for field in ["message_id", "role", "score", "created_at"] {
        assert!(!best[field].is_null(), "{field}");
    }
    // e5 scores unrelated texts up to ~0.85 (docs/memory-detector.md), so the default
    // threshold does not always keep them out; ranking puts the related ones first, and
    // a stricter threshold does keep them out.
    let cake_rank = hits
        .iter()
        .position(|h| found(std::slice::from_ref(h), "bolo de cenoura"));
    assert!(cake_rank.is_none_or(|rank| rank >= 2), "{hits:?}");
    let strict = search(
        &app,
        &token,
        &json!({"query": "estrutura de projetos em Rust", "similarity_threshold": 0.87}),
    )
    .await;
    assert!(
        found(&strict, "vários crates") && !found(&strict, "bolo"),
        "{strict:?}"
    );
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // The assistant's answers are indexed too.
    search_until(
        &app,
        &token,
        &json!({"query": "receita de bolo", "chat_id": cake_chat}),
        |hits| found(hits, "bolo de cenoura"),
    )
    .await;
    let all = json!({"query": "receita de bolo", "similarity_threshold": -1.0, "limit": 100});
    let everything = search_until(&app, &token, &all, |hits| hits.len() == 4).await;
    assert!(everything.iter().any(|h| h["role"] == "assistant"));

    let in_cake = search(
        &app,
        &token,
        &json!({"query": "Rust", "chat_id": cake_chat, "similarity_threshold": -1.0}),
    )
    .await;
    assert_eq!(in_cake.len(), 2);
    assert!(
        in_cake.iter().all(|h| h["chat_id"] == cake_chat.as_str()),
        "{in_cake:?}"
    );
    let one = search(
        &app,
        &token,
        &json!({"query": "receita", "limit": 1, "similarity_threshold": -1.0}),
    )
    .await;
    assert_eq!(one.len(), 1);
    let strict = search(
        &app,
        &token,
        &json!({"query": "receita de bolo", "similarity_threshold": 0.99}),
    )
    .await;
    assert!(strict.is_empty(), "{strict:?}");

    for body in [
        json!({"query": ""}),
        json!({"query": "x", "limit": 0}),
        json!({"query": "x", "limit": 101}),
        json!({"query": "x", "similarity_threshold": 1.5}),
    ] {
        let response = app.post("/messages/search", Some(&token), &body).await;
        assert_eq!(response.status(), 422, "{body}");
    }
}

#[tokio::test]
async fn deleting_a_chat_removes_its_messages_but_not_what_was_learned() {
    let app = TestApp::spawn().await;
    answer(&app, "Que legal, Curitiba é uma cidade linda.").await;
    let token = ready_user(&app).await;
    let learned = turn(&app, &token, None, "moro em Curitiba").await;
    assert_eq!(texts(&learned, "saved").len(), 1, "{learned}");
    let chat = learned["chat_id"].as_str().unwrap().to_owned();
    let kept = turn(
        &app,
        &token,
        None,
        "Qual a melhor época para plantar tomates?",
    )
    .await;
    let all = json!({"query": "Curitiba", "similarity_threshold": -1.0, "limit": 100});
    search_until(&app, &token, &all, |hits| hits.len() == 4).await;

    assert_eq!(
        delete(&app, &format!("/chats/{chat}"), &token)
            .await
            .status(),
        204
    );
    let after = search(&app, &token, &all).await;
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        after.iter().all(|h| h["chat_id"] == kept["chat_id"]),
        "{after:?}"
    );
    // The deleted chat is no longer one to search in.
    let scoped = app
        .post(
            "/messages/search",
            Some(&token),
            &json!({"query": "Curitiba", "chat_id": chat, "similarity_threshold": -1.0}),
        )
        .await;
    assert_eq!(scoped.status(), 404);
    assert!(
        preference_texts(&app, &token)
            .await
            .iter()
            .any(|t| t.contains("curitiba"))
    );
}
