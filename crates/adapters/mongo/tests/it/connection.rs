//! Reachability: the readiness probe, failing fast while MongoDB is away, and coming
//! back by itself when it returns.

use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use polychat_domain::UserId;
use polychat_domain::ports::{ChatRepository, HealthProbe, StoreError};
use polychat_mongo::{ConnectError, MongoConfig, connect};
use secrecy::SecretString;

use crate::proxy::Proxy;
use crate::{mongo_url, with_mongo};

#[tokio::test]
async fn the_probe_reports_a_reachable_server() {
    with_mongo(async |mongo, _| {
        assert_eq!(mongo.name(), "mongodb");
        assert_eq!(mongo.check().await, Ok(()));
    })
    .await;
}

#[tokio::test]
async fn an_outage_is_unavailable_and_the_client_recovers_by_itself() {
    let server = mongo_url();
    let host = server
        .trim_start_matches("mongodb://")
        .split(['/', '?'])
        .next()
        .unwrap();
    let target = host.to_socket_addrs().unwrap().next().unwrap();
    let mut proxy = Proxy::start(target).await;
    let url = format!(
        "mongodb://127.0.0.1:{}/?directConnection=true",
        proxy.port()
    );
    let database = format!("polychat_test_{}", uuid::Uuid::new_v4().simple());
    let mut config = MongoConfig::new(SecretString::from(url), database.as_str());
    config.server_selection_timeout = Duration::from_millis(800);
    config.probe_timeout = Duration::from_secs(1);
    let mongo = connect(&config).await.expect("connect through the proxy");
    assert_eq!(mongo.check().await, Ok(()));

    proxy.stop();
    let started = Instant::now();
    let probe = mongo.check().await;
    assert!(probe.is_err(), "the probe fails while MongoDB is away");
    let listed = mongo
        .list_chats(
            UserId::generate(),
            10,
            None,
            &polychat_domain::ChatLabels::default(),
        )
        .await;
    assert!(
        matches!(listed, Err(StoreError::Unavailable(_))),
        "got {listed:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "failed fast: {:?}",
        started.elapsed()
    );

    proxy.restart().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while mongo.check().await.is_err() {
        assert!(Instant::now() < deadline, "the same client never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        mongo
            .list_chats(
                UserId::generate(),
                10,
                None,
                &polychat_domain::ChatLabels::default()
            )
            .await
            .unwrap()
            .is_empty()
    );
    let raw = mongodb::Client::with_uri_str(mongo_url()).await.unwrap();
    raw.database(&database).drop().await.unwrap();
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("local address").port()
}

#[tokio::test]
async fn connecting_to_nothing_fails_within_the_selection_timeout() {
    let url = format!("mongodb://127.0.0.1:{}", closed_port());
    let mut config = MongoConfig::new(SecretString::from(url), "polychat_test_unreachable");
    config.server_selection_timeout = Duration::from_millis(500);
    let started = Instant::now();
    let result = connect(&config).await;
    assert!(
        matches!(result, Err(ConnectError::Indexes(_))),
        "got {result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "failed fast: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_bad_connection_string_is_refused() {
    let config = MongoConfig::new(SecretString::from("postgres://nope".to_owned()), "x");
    assert!(matches!(
        connect(&config).await,
        Err(ConnectError::InvalidUrl(_))
    ));
}
