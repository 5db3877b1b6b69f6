//! Integration tests of the MongoDB adapter against a real server (FerretDB locally,
//! `MONGODB_URL`). Each test gets its own database `polychat_test_<random>` and drops it
//! at the end, even when it fails, so tests run in parallel and leave nothing behind.

mod chats;
mod connection;
mod listing;
mod proxy;

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use polychat_mongo::{Mongo, MongoConfig, connect};
use secrecy::SecretString;

pub(crate) fn mongo_url() -> String {
    std::env::var("MONGODB_URL").unwrap_or_else(|_| "mongodb://127.0.0.1:27017".to_owned())
}

pub(crate) fn config(database: &str) -> MongoConfig {
    let mut config = MongoConfig::new(SecretString::from(mongo_url()), database);
    config.server_selection_timeout = Duration::from_secs(5);
    config
}

/// Runs `test` with an adapter on a fresh database, then drops the database.
pub(crate) async fn with_mongo<F, Fut>(test: F)
where
    F: FnOnce(Mongo, mongodb::Database) -> Fut,
    Fut: Future<Output = ()>,
{
    let name = format!("polychat_test_{}", uuid::Uuid::new_v4().simple());
    let mongo = connect(&config(&name)).await.expect("connect to MongoDB");
    let raw = mongodb::Client::with_uri_str(mongo_url())
        .await
        .expect("raw client")
        .database(&name);
    let outcome = AssertUnwindSafe(test(mongo, raw.clone()))
        .catch_unwind()
        .await;
    raw.drop().await.expect("drop the test database");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
