//! `CHAT_RETENTION_DAYS`: the sweep deletes a chat not updated for longer, with its
//! messages, cached pages and search entries, leaves the others alone and counts what
//! it deleted in the metrics.

use std::time::{Duration, Instant};

use mongodb::bson::{DateTime, Document, doc};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::memory::{answer, found, ready_user, search, search_until, turn};

const TWO_DAYS_MS: i64 = 2 * 24 * 3_600 * 1_000;

/// Makes `chat` look last updated two days ago, as a chat left alone would be.
async fn backdate(app: &TestApp, chat: &str) {
    let chats = app.mongo().await.collection::<Document>("chats");
    let two_days_ago = DateTime::from_millis(DateTime::now().timestamp_millis() - TWO_DAYS_MS);
    let updated = chats
        .update_one(
            doc! {"_id": chat},
            doc! {"$set": {"updated_at": two_days_ago}},
        )
        .await
        .expect("backdate");
    assert_eq!(updated.matched_count, 1, "the chat is stored under its id");
}

async fn history_status(app: &TestApp, token: &str, chat: &str) -> u16 {
    app.get(&format!("/chat?chat_id={chat}"), Some(token))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_chat_past_the_retention_goes_with_everything_of_its_own() {
    let app = TestApp::spawn_with(&[
        ("CHAT_RETENTION_DAYS", "1"),
        ("CHAT_RETENTION_SWEEP_SECONDS", "1"),
    ])
    .await;
    answer(&app, "Anotado.").await;
    let token = ready_user(&app).await;
    let old = turn(&app, &token, None, "Qual o prazo de entrega para Manaus?").await;
    let old = old["chat_id"].as_str().expect("chat_id").to_owned();
    let kept = turn(&app, &token, None, "Qual o prazo de entrega para Curitiba?").await;
    let kept = kept["chat_id"].as_str().expect("chat_id").to_owned();
    let query = json!({"query": "prazo de entrega", "similarity_threshold": 0.5});
    search_until(&app, &token, &query, |hits| {
        found(hits, "Manaus") && found(hits, "Curitiba")
    })
    .await;
    // Read twice: the second read is served from the cache, which must go too.
    for _ in 0..2 {
        assert_eq!(history_status(&app, &token, &old).await, 200);
    }

    backdate(&app, &old).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while history_status(&app, &token, &old).await != 404 {
        assert!(
            Instant::now() < deadline,
            "the stale chat was never deleted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    assert_eq!(history_status(&app, &token, &kept).await, 200);
    let listed: Value = app.get("/chats", Some(&token)).await.json().await.unwrap();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|chat| chat["chat_id"].as_str())
        .collect();
    assert_eq!(ids, [kept.as_str()], "{listed}");
    let hits = search(&app, &token, &query).await;
    assert!(
        found(&hits, "Curitiba") && !found(&hits, "Manaus"),
        "{hits:?}"
    );
    let messages = app.mongo().await.collection::<Document>("messages");
    let left = messages
        .count_documents(doc! {"chat_id": old.as_str()})
        .await
        .expect("count");
    assert_eq!(left, 0, "the stale chat's messages are gone");

    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics
            .lines()
            .any(|line| line == "polychat_retention_deleted_chats_total 1"),
        "{metrics}"
    );
}
