//! Outages: with its own `redis-server` on a free port, the test stops the server and
//! starts it again. Commands fail fast while it is away, and the same client comes back
//! by itself, scripts included (the restarted server has forgotten them).

use std::time::{Duration, Instant};

use polychat_domain::ChatId;
use polychat_domain::ports::{CacheLookup, ChatCache, ChatPageKey, HealthProbe, StoreError};
use polychat_redis::{ConnectError, connect};

use crate::config;
use crate::servers::{Process, free_port, redis_server};

/// A private `redis-server` on `port`, killed on drop.
struct Server {
    port: u16,
    process: Process,
}

impl Server {
    fn start(port: u16) -> Self {
        let mut command = redis_server();
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"]);
        Self {
            port,
            process: Process::listening(command, port),
        }
    }

    fn stop(&mut self) {
        self.process.stop();
    }
}

const PAGE: ChatPageKey = ChatPageKey {
    limit: 10,
    before: None,
};

#[tokio::test]
async fn stopping_redis_fails_fast_and_a_restart_recovers_the_same_client() {
    let mut server = Server::start(free_port());
    let url = format!("redis://127.0.0.1:{}", server.port);
    let redis = connect(&config(&url, "reconnect:")).await.unwrap();
    let chat = ChatId::generate();
    assert_eq!(redis.name(), "redis");
    assert_eq!(redis.check().await, Ok(()));
    assert!(matches!(
        redis.get(chat, PAGE).await.unwrap(),
        CacheLookup::Miss { .. }
    ));

    server.stop();
    let started = Instant::now();
    assert!(
        redis.check().await.is_err(),
        "the probe fails while Redis is away"
    );
    let lookup = redis.get(chat, PAGE).await;
    assert!(
        matches!(lookup, Err(StoreError::Unavailable(_))),
        "{lookup:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "failed fast: {:?}",
        started.elapsed()
    );

    let port = server.port;
    let _restarted = Server::start(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    while redis.check().await.is_err() {
        assert!(Instant::now() < deadline, "the same client never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let CacheLookup::Miss { generation } = redis.get(chat, PAGE).await.unwrap() else {
        panic!("the restarted server is empty");
    };
    redis.put(chat, PAGE, generation, b"back").await.unwrap();
    assert_eq!(
        redis.get(chat, PAGE).await.unwrap(),
        CacheLookup::Hit(b"back".to_vec())
    );
}

#[tokio::test]
async fn connecting_to_nothing_fails() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let result = connect(&config(&url, "nothing:")).await;
    assert!(matches!(
        result,
        Err(ConnectError::Unreachable(_) | ConnectError::TimedOut(_))
    ));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
