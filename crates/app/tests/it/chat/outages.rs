//! Store outages, made by putting a TCP proxy between the app and a store and then
//! stopping it (`hangs` makes it stop answering instead): MongoDB down is a 503 before any model call; Redis down only costs the
//! cache (GET /chat is read from MongoDB, a MISS).

use std::time::Duration;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::support::{answer, code, history, new_chat, prompt, upstream_calls, user};
use crate::harness::TestApp;

/// What a [`Proxy`] does with its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    /// Holds every connection open, and accepts new ones, but passes nothing on: a
    /// server that accepts connections and then stops answering.
    Hang,
    /// Cuts the connections and refuses new ones.
    Stop,
}

/// Forwards connections to `target` until told to hang or stop.
pub(super) struct Proxy {
    pub(super) port: u16,
    mode: watch::Sender<Mode>,
}

impl Proxy {
    pub(super) async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let (mode, modes) = watch::channel(Mode::Forward);
        let mut accept_modes = modes.clone();
        tokio::spawn(async move {
            loop {
                let (inbound, _) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(connection) => connection,
                        Err(_) => return,
                    },
                    _ = accept_modes.wait_for(|mode| *mode == Mode::Stop) => return,
                };
                tokio::spawn(relay(inbound, target.clone(), modes.clone()));
            }
        });
        Self { port, mode }
    }

    pub(super) fn stop(&self) {
        let _ = self.mode.send(Mode::Stop);
    }

    pub(super) fn hang(&self) {
        let _ = self.mode.send(Mode::Hang);
    }
}

/// Forwards one connection while the mode is [`Mode::Forward`]; once it hangs, holds
/// both ends open without passing anything until the proxy stops.
async fn relay(mut inbound: TcpStream, target: String, mut modes: watch::Receiver<Mode>) {
    if *modes.borrow_and_update() == Mode::Forward {
        let Ok(mut outbound) = TcpStream::connect(&target).await else {
            return;
        };
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => return,
            _ = modes.wait_for(|mode| *mode != Mode::Forward) => {}
        }
        let _ = modes.wait_for(|mode| *mode == Mode::Stop).await;
        drop(outbound);
    } else {
        let _ = modes.wait_for(|mode| *mode == Mode::Stop).await;
    }
    drop(inbound);
}

/// `host:port` of a `scheme://host:port[/...]` URL.
pub(super) fn authority(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
}

pub(super) fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Failed calls to `store` that `/metrics` counts (timeouts and unavailability).
pub(super) async fn store_failures(app: &TestApp, store: &str) -> u64 {
    let text = app
        .get("/metrics", None)
        .await
        .text()
        .await
        .expect("metrics");
    ["timeout", "unavailable"]
        .iter()
        .map(|failure| {
            let series = format!(
                "polychat_store_failures_total{{failure=\"{failure}\",store=\"{store}\"}} "
            );
            text.lines()
                .find_map(|line| line.strip_prefix(series.as_str()))
                .map_or(0, |value| value.parse::<u64>().expect("a count"))
        })
        .sum()
}

#[tokio::test]
async fn mongodb_down_is_503_before_any_model_call() {
    let mongo = env_or("MONGODB_URL", "mongodb://127.0.0.1:27017");
    let proxy = Proxy::start(authority(&mongo)).await;
    // directConnection: the driver must not discover the real address behind the proxy.
    let url = format!("mongodb://127.0.0.1:{}/?directConnection=true", proxy.port);
    let app = TestApp::spawn_with(&[("MONGODB_URL", url.as_str())]).await;
    let token = user(&app).await;
    answer(&app.upstream, "ok", (1, 1)).await;
    let chat = new_chat(&app, &token, "Before the outage").await;
    let calls = upstream_calls(&app.upstream).await;

    proxy.stop();
    let started = std::time::Instant::now();
    let (status, _, error) = prompt(&app, &token, &json!({"prompt": "During the outage"})).await;
    assert_eq!(
        (status, code(&error)),
        (503, "service_unavailable"),
        "{error}"
    );
    let continued = json!({"chat_id": chat, "prompt": "Still down"});
    let (status, _, error) = prompt(&app, &token, &continued).await;
    assert_eq!(
        (status, code(&error)),
        (503, "service_unavailable"),
        "{error}"
    );
    let streamed = json!({"chat_id": chat, "prompt": "Stream down", "stream": true});
    let (status, _, _) = prompt(&app, &token, &streamed).await;
    assert_eq!(status, 503);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(
        upstream_calls(&app.upstream).await,
        calls,
        "the model was called"
    );
    assert!(
        store_failures(&app, "mongodb").await >= 3,
        "counted by store"
    );
    assert_eq!(store_failures(&app, "redis").await, 0);
}

#[tokio::test]
async fn redis_down_turns_history_reads_into_misses() {
    let redis = env_or("REDIS_URL", "redis://127.0.0.1:6379");
    let proxy = Proxy::start(authority(&redis)).await;
    let url = format!("redis://127.0.0.1:{}", proxy.port);
    let app = TestApp::spawn_with(&[("REDIS_URL", url.as_str())]).await;
    let token = user(&app).await;
    answer(&app.upstream, "cached", (1, 1)).await;
    let chat = new_chat(&app, &token, "Cache this").await;
    let query = format!("chat_id={chat}");
    let (_, _, cached) = history(&app, &token, &query).await;
    assert_eq!(history(&app, &token, &query).await.1, "HIT");

    proxy.stop();
    let started = std::time::Instant::now();
    for _ in 0..2 {
        let (status, cache, body) = history(&app, &token, &query).await;
        assert_eq!((status, cache.as_str()), (200, "MISS"), "{body}");
        assert_eq!(body, cached);
    }
    // Prompts still work too: limits fall back to the process, the cache is skipped.
    let (status, _, turn) = prompt(&app, &token, &json!({"chat_id": chat, "prompt": "More"})).await;
    assert_eq!(status, 200, "{turn}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(store_failures(&app, "redis").await >= 2, "counted by store");
    assert_eq!(store_failures(&app, "mongodb").await, 0);
}
