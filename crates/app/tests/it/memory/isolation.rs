//! A second user never receives, sees, changes or finds the first user's preferences
//! and messages, whatever route or id they use.

use serde_json::{Value, json};

use super::{
    answer, delete, found, last_system, preferences, put, ready_user, search, search_until, texts,
    turn,
};
use crate::harness::TestApp;

#[tokio::test]
async fn preferences_and_messages_stay_with_their_owner() {
    let app = TestApp::spawn().await;
    answer(&app, "Anotado: a senha do cofre fica com você.").await;
    let alice = ready_user(&app).await;
    let bob = ready_user(&app).await;

    let learned = turn(&app, &alice, None, "sou desenvolvedor de software").await;
    assert_eq!(texts(&learned, "saved").len(), 1, "{learned}");
    turn(&app, &alice, None, "fale comigo de maneira formal").await;
    let secret = turn(
        &app,
        &alice,
        None,
        "Minha receita secreta de bolo de cenoura leva gengibre",
    )
    .await;
    let alice_chat = secret["chat_id"].as_str().unwrap().to_owned();
    let alice_prefs = preferences(&app, &alice).await;
    assert_eq!(alice_prefs.len(), 2, "{alice_prefs:?}");
    let query =
        json!({"query": "receita de bolo de cenoura", "similarity_threshold": -1.0, "limit": 100});
    search_until(&app, &alice, &query, |hits| found(hits, "gengibre")).await;

    // Bob's prompts, even the same words, never carry Alice's memories.
    for prompt in [
        "sou desenvolvedor de software?",
        "me ajuda a estruturar um projeto em Rust?",
    ] {
        let bobs = turn(&app, &bob, None, prompt).await;
        assert!(texts(&bobs, "used").is_empty(), "{bobs}");
        let system = last_system(&app).await;
        assert!(
            !system.contains("desenvolvedor") && !system.contains("formal"),
            "{system}"
        );
    }
    assert!(
        preferences(&app, &bob)
            .await
            .iter()
            .all(|p| !p["text"].as_str().unwrap_or_default().contains("formal"))
    );

    // Alice's preference ids are unknown to Bob on every route.
    for preference in &alice_prefs {
        let path = format!("/user/preferences/{}", preference["id"].as_str().unwrap());
        let edited = put(&app, &path, &bob, &json!({"text": "gosto de pagode"})).await;
        assert_eq!(edited.status(), 404);
        assert_eq!(delete(&app, &path, &bob).await.status(), 404);
        let fetched = app.get(&path, Some(&bob)).await;
        assert!(
            matches!(fetched.status().as_u16(), 404 | 405),
            "{}",
            fetched.status()
        );
        let posted = app.post(&path, Some(&bob), &json!({"text": "x"})).await;
        assert!(
            matches!(posted.status().as_u16(), 404 | 405),
            "{}",
            posted.status()
        );
    }
    assert_eq!(
        preferences(&app, &alice).await,
        alice_prefs,
        "Bob changed Alice's preferences"
    );

    // Bob's searches never return Alice's messages, even with no threshold or her chat id.
    let alice_chats = [learned["chat_id"].clone(), secret["chat_id"].clone()];
    // Bob's own two turns (four messages) are indexed in the background: wait for them.
    let everything = search_until(&app, &bob, &query, |hits| hits.len() >= 4).await;
    assert!(
        everything
            .iter()
            .all(|h| !alice_chats.contains(&h["chat_id"])
                && !found(std::slice::from_ref(h), "gengibre")),
        "{everything:?}"
    );
    let in_her_chat = app
        .post(
            "/messages/search",
            Some(&bob),
            &json!({"query": "bolo", "chat_id": alice_chat, "similarity_threshold": -1.0}),
        )
        .await;
    let status = in_her_chat.status().as_u16();
    let body: Value = in_her_chat.json().await.unwrap_or(Value::Null);
    assert!(
        status == 404 || (status == 200 && body["items"] == json!([])),
        "{status}: {body}"
    );
    // And Alice still finds hers.
    assert!(found(&search(&app, &alice, &query).await, "gengibre"));
}
