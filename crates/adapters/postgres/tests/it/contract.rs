//! The testkit's contract suites, run against the real adapter: the same checks the
//! in-memory fakes pass (adapter swapping).

use polychat_testkit::{api_keys, message_index, preferences, users};

use crate::support::{TestDb, new_user};

#[tokio::test]
async fn users_contract() {
    let db = TestDb::migrated().await;
    users::contract(&db.connect().await).await;
}

#[tokio::test]
async fn api_keys_contract() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let (alice, bob) = (new_user(&pg, "alice").await, new_user(&pg, "bob").await);
    api_keys::contract(&pg, alice, bob).await;
}

#[tokio::test]
async fn preferences_contract() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let (alice, bob) = (new_user(&pg, "alice").await, new_user(&pg, "bob").await);
    let dims = pg.embedding_dimensions().await.expect("dimensions");
    preferences::contract(&pg, alice, bob, dims).await;
}

#[tokio::test]
async fn message_index_contract() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let (alice, bob) = (new_user(&pg, "alice").await, new_user(&pg, "bob").await);
    let dims = pg.embedding_dimensions().await.expect("dimensions");
    message_index::contract(&pg, alice, bob, dims).await;
}
