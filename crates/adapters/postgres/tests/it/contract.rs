//! The testkit's contract suites, run against the real adapter: the same checks the
//! in-memory fakes pass (adapter swapping).

use polychat_testkit::{
    api_keys, custom_models, message_index, preferences, sessions, usage, users,
};

use crate::support::{TestDb, new_user};

#[tokio::test]
async fn users_contract() {
    let db = TestDb::migrated().await;
    users::contract(&db.connect().await).await;
    let pg = db.connect().await;
    users::external_contract(&pg, &pg).await;
}

#[tokio::test]
async fn sessions_contract() {
    let db = TestDb::migrated().await;
    sessions::session_store_contract(&db.connect().await).await;
}

#[tokio::test]
async fn api_keys_contract() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let (alice, bob) = (new_user(&pg, "alice").await, new_user(&pg, "bob").await);
    api_keys::contract(&pg, alice, bob).await;
}

#[tokio::test]
async fn custom_models_contract() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let admin = new_user(&pg, "admin").await;
    custom_models::contract(&pg, admin).await;
}

#[tokio::test]
async fn usage_contract() {
    let db = TestDb::migrated().await;
    usage::contract(&db.connect().await).await;
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

/// Not a check but a measurement (`cargo test -p polychat-postgres --test it
/// api_key_lookup_rate -- --ignored --nocapture`): how many key lookups per second one
/// pool serves, the cost an uncached API key adds to each request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand"]
async fn api_key_lookup_rate() {
    use polychat_domain::ports::ApiKeyStore;
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let alice = new_user(&pg, "alice").await;
    let (key, hash) = api_keys::sample_key(alice, "hot", 0);
    pg.create(&key, &hash).await.expect("create");
    let started = std::time::Instant::now();
    let lookups = 8 * 1_000;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (pg, hash) = (pg.clone(), hash.clone());
            tokio::spawn(async move {
                for _ in 0..1_000 {
                    pg.find_by_hash(&hash)
                        .await
                        .expect("lookup")
                        .expect("found");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let elapsed = started.elapsed();
    println!(
        "{lookups} lookups in {elapsed:?}: {:.0}/s, {:.3} ms each at 8 in flight",
        f64::from(lookups) / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 * 8.0 / f64::from(lookups)
    );
}
