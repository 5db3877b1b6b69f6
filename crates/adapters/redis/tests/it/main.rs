//! Integration tests of the Redis adapter against a real server (`REDIS_URL`). Each
//! test uses its own random key prefix and deletes its keys at the end, even when it
//! fails, so tests run in parallel and leave nothing behind.

mod answers;
mod cache;
mod cluster;
mod contracts;
mod limits;
mod reconnect;
mod servers;
mod stamps;
mod tls;

use std::panic::AssertUnwindSafe;

use fred::clients::Client;
use fred::interfaces::{ClientLike, LuaInterface};
use fred::types::Builder;
use fred::types::config::Config;
use futures_util::FutureExt;
use polychat_redis::{Redis, RedisConfig, connect};
use secrecy::SecretString;

pub(crate) fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

pub(crate) fn config(url: &str, prefix: &str) -> RedisConfig {
    RedisConfig {
        key_prefix: prefix.to_owned(),
        ..RedisConfig::new(SecretString::from(url.to_owned()))
    }
}

/// A plain client, to look at the keys behind the adapter's back.
pub(crate) async fn raw_client(url: &str) -> Client {
    let settings = Config::from_url(url).expect("valid Redis URL");
    let client = Builder::from_config(settings).build().expect("client");
    client.init().await.expect("connect the raw client");
    client
}

/// The keys under `prefix`, as the server lists them.
pub(crate) async fn keys_under(client: &Client, prefix: &str) -> Vec<String> {
    let pattern = format!("{prefix}*");
    let keys = client.eval("return redis.call('KEYS', ARGV[1])", (), pattern);
    keys.await.expect("KEYS")
}

/// Runs `test` with an adapter under a fresh key prefix, then deletes its keys.
pub(crate) async fn with_redis<F, Fut>(test: F)
where
    F: FnOnce(Redis, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let url = redis_url();
    let prefix = format!("polychat_test_{}:", uuid::Uuid::new_v4().simple());
    let redis = connect(&config(&url, &prefix))
        .await
        .expect("connect to Redis");
    let outcome = AssertUnwindSafe(test(redis, prefix.clone()))
        .catch_unwind()
        .await;
    let client = raw_client(&url).await;
    let _deleted: i64 = client
        .eval(
            "local keys = redis.call('KEYS', ARGV[1]) \
             for _, key in ipairs(keys) do redis.call('DEL', key) end \
             return #keys",
            (),
            format!("{prefix}*"),
        )
        .await
        .expect("delete the test keys");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
