//! The scenario end to end: a statement in one chat is remembered, recalled in a
//! new chat for a related prompt, style instructions reach every prompt, deleting one
//! stops it for good, and a newer contradicting instruction replaces the older one.

use serde_json::Value;

use super::{answer, delete, last_system, preference_texts, preferences, ready_user, texts, turn};
use crate::harness::TestApp;

const DEV: &str = "sou desenvolvedor de software";
const FORMAL: &str = "fale comigo de maneira formal";
const INFORMAL: &str = "fale comigo de maneira informal";
/// A prompt that shares nothing with any statement here.
const UNRELATED: &str = "qual a capital da Austrália?";

#[tokio::test]
async fn learned_in_one_chat_recalled_in_another_and_forgotten_on_delete() {
    let app = TestApp::spawn().await;
    answer(&app, "Entendido.").await;
    let token = ready_user(&app).await;

    let first = turn(&app, &token, None, DEV).await;
    let saved = &first["memories"]["saved"];
    assert_eq!(saved.as_array().map(Vec::len), Some(1), "{first}");
    assert_eq!(saved[0]["kind"], "identity", "{first}");
    assert!(texts(&first, "saved")[0].contains("desenvolvedor de software"));
    assert_eq!(saved[0]["source_chat_id"], first["chat_id"]);

    // A new chat, a related prompt: the memory is in the context and reported.
    let second = turn(
        &app,
        &token,
        None,
        "me ajuda a estruturar um projeto em Rust?",
    )
    .await;
    assert_ne!(second["chat_id"], first["chat_id"]);
    assert!(
        texts(&second, "used")
            .iter()
            .any(|t| t.contains("desenvolvedor de software")),
        "{second}"
    );
    assert!(
        last_system(&app)
            .await
            .contains("desenvolvedor de software")
    );

    // A style instruction is learned and then injected into every prompt, related or not.
    let style = turn(&app, &token, None, FORMAL).await;
    assert_eq!(style["memories"]["saved"][0]["kind"], "style", "{style}");
    let chat = style["chat_id"].as_str().unwrap().to_owned();
    let unrelated = turn(&app, &token, Some(&chat), UNRELATED).await;
    assert!(
        texts(&unrelated, "used")
            .iter()
            .any(|t| t.contains("formal")),
        "{unrelated}"
    );
    let system = last_system(&app).await;
    assert!(system.contains(FORMAL), "{system}");
    assert!(
        !system.contains("desenvolvedor"),
        "an unrelated prompt got the identity: {system}"
    );

    // Visible, then deleted: never injected again.
    let listed = preferences(&app, &token).await;
    let formal: &Value = listed
        .iter()
        .find(|p| p["kind"] == "style")
        .expect("style listed");
    assert!(listed.iter().any(|p| p["kind"] == "identity"));
    let id = formal["id"].as_str().unwrap().to_owned();
    assert_eq!(
        delete(&app, &format!("/user/preferences/{id}"), &token)
            .await
            .status(),
        204
    );
    assert!(
        !preference_texts(&app, &token)
            .await
            .iter()
            .any(|t| t.contains("formal"))
    );
    for prompt in [UNRELATED, "escreva um e-mail formal para o meu chefe"] {
        let later = turn(&app, &token, None, prompt).await;
        assert!(
            texts(&later, "used").iter().all(|t| !t.contains("formal")),
            "{later}"
        );
        assert!(!last_system(&app).await.contains(FORMAL));
    }
    assert_eq!(
        delete(&app, &format!("/user/preferences/{id}"), &token)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_newer_contradicting_style_replaces_the_older_and_distinct_facts_stay() {
    let app = TestApp::spawn().await;
    answer(&app, "Certo.").await;
    let token = ready_user(&app).await;

    for prompt in [FORMAL, "moro em Curitiba", "tenho dois filhos"] {
        let learned = turn(&app, &token, None, prompt).await;
        assert_eq!(texts(&learned, "saved").len(), 1, "{prompt}: {learned}");
    }
    let later = turn(&app, &token, None, INFORMAL).await;
    assert_eq!(texts(&later, "saved").len(), 1, "{later}");

    let active = preference_texts(&app, &token).await;
    assert!(active.iter().any(|t| t.contains("informal")), "{active:?}");
    assert!(
        !active
            .iter()
            .any(|t| t.contains("formal") && !t.contains("informal")),
        "{active:?}"
    );
    assert!(active.iter().any(|t| t.contains("curitiba")), "{active:?}");
    assert!(
        active.iter().any(|t| t.contains("dois filhos")),
        "{active:?}"
    );
    assert_eq!(active.len(), 3, "{active:?}");

    turn(&app, &token, None, UNRELATED).await;
    let system = last_system(&app).await;
    assert!(system.contains(INFORMAL), "{system}");
    assert!(
        !system.contains(FORMAL),
        "the superseded style is still injected: {system}"
    );

    // Saying it again changes nothing.
    let repeated = turn(&app, &token, None, INFORMAL).await;
    assert!(texts(&repeated, "saved").is_empty(), "{repeated}");
    assert_eq!(preference_texts(&app, &token).await.len(), 3);
}

/// With `memory_enabled: false` on the profile, or `X-Memory: off` on `/v1`, nothing is
/// recalled into the context and nothing is learned.
#[tokio::test]
async fn memory_turned_off_neither_recalls_nor_learns() {
    let app = TestApp::spawn().await;
    answer(&app, "Entendido.").await;
    let token = ready_user(&app).await;
    let learned = turn(&app, &token, None, FORMAL).await;
    assert_eq!(texts(&learned, "saved").len(), 1, "{learned}");

    let off = app
        .client
        .put(app.url("/user/profile"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"memory_enabled": false}))
        .send()
        .await
        .expect("profile");
    let profile: Value = off.json().await.expect("profile body");
    assert_eq!(profile["memory_enabled"], false, "{profile}");
    let quiet = turn(&app, &token, None, DEV).await;
    assert!(texts(&quiet, "used").is_empty(), "{quiet}");
    assert!(texts(&quiet, "saved").is_empty(), "{quiet}");
    assert!(!last_system(&app).await.contains("formal"));
    assert!(
        !preference_texts(&app, &token)
            .await
            .iter()
            .any(|t| t.contains("desenvolvedor"))
    );

    let on = app
        .client
        .put(app.url("/user/profile"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"memory_enabled": true}))
        .send()
        .await
        .expect("profile");
    assert_eq!(on.status(), 200);
    let v1 = app
        .client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(&token)
        .header("X-Memory", "off")
        .json(&serde_json::json!({"model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": DEV}]}))
        .send()
        .await
        .expect("v1");
    assert_eq!(v1.status(), 200);
    assert!(
        !last_system(&app).await.contains("formal"),
        "X-Memory: off recalls nothing"
    );
    assert!(
        !preference_texts(&app, &token)
            .await
            .iter()
            .any(|t| t.contains("desenvolvedor"))
    );
}
