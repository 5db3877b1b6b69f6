//! Answers that survive a reconnect: every event of a streamed turn has an id, and a
//! client that lost the stream gets exactly what it missed, then the rest, then
//! `done`, from this instance, another one, after the answer finished, or (Redis down)
//! once the answer is stored. Slow models' streams are kept alive meanwhile.

mod keepalive;
mod outage;
pub(crate) mod reader;

use std::time::Duration;

use serde_json::{Value, json};

use super::support::{code, paced_upstream, user};
use crate::harness::TestApp;
use reader::{Frame, Reader};

/// The answer the paced upstream streams, piece by piece.
pub(super) fn pieces() -> Vec<String> {
    (0..16).map(|i| format!("parte {i} — olá. ")).collect()
}

/// An app whose model streams [`pieces`] one every `pace`.
pub(super) async fn app_with_paced_model(pace: Duration, extra: &[(&str, &str)]) -> TestApp {
    let (upstream, _) = paced_upstream(pieces(), pace).await;
    let mut overrides = vec![("OPENROUTER_BASE_URL", upstream.as_str())];
    overrides.extend_from_slice(extra);
    TestApp::spawn_with(&overrides).await
}

/// A started stream: the reader past `meta`, and the ids `meta` named.
pub(super) struct Started {
    pub(super) reader: Reader,
    pub(super) chat_id: String,
    pub(super) message_id: String,
}

pub(super) async fn start(app: &TestApp, token: &str) -> Started {
    let response = app
        .post(
            "/chat",
            Some(token),
            &json!({"prompt": "Conte devagar", "stream": true}),
        )
        .await;
    let mut reader = Reader::new(response, Duration::from_secs(10));
    let Some(Frame::Event { name, data, id }) = reader.next().await else {
        panic!("no meta event");
    };
    assert_eq!(
        (name.as_str(), id),
        ("meta", None),
        "meta first, without an id"
    );
    Started {
        reader,
        chat_id: data["chat_id"].as_str().expect("chat_id").to_owned(),
        message_id: data["message_id"].as_str().expect("message_id").to_owned(),
    }
}

/// Reads `count` deltas; returns their text and the id of the last one.
pub(super) async fn read_deltas(reader: &mut Reader, count: usize) -> (String, String, Vec<u64>) {
    let (mut text, mut last, mut seqs) = (String::new(), String::new(), Vec::new());
    while seqs.len() < count {
        match reader.next().await.expect("the stream went on") {
            Frame::Event { id, name, data } => {
                assert_eq!(name, "delta", "{data}");
                let id = id.expect("every delta has an id");
                seqs.push(seq(&id));
                text.push_str(data["content"].as_str().expect("content"));
                last = id;
            }
            Frame::Comment => {}
        }
    }
    (text, last, seqs)
}

fn seq(id: &str) -> u64 {
    id.split_once('-')
        .and_then(|(seq, _)| seq.parse().ok())
        .expect("id <seq>-<offset>")
}

/// `GET …/stream` at `base` (an instance's URL) with `Last-Event-ID` when given.
pub(super) async fn resume(
    app: &TestApp,
    base: &str,
    token: &str,
    started: (&str, &str),
    last: Option<&str>,
) -> reqwest::Response {
    let (chat, message) = started;
    let mut request = app
        .client
        .get(format!("{base}/chats/{chat}/messages/{message}/stream"))
        .bearer_auth(token);
    if let Some(last) = last {
        request = request.header("Last-Event-ID", last);
    }
    request.send().await.expect("request")
}

/// Reads a resumed stream to its end: checks `meta`, ids continuing after `after_seq`
/// without a gap, deltas then one `done`; returns the text and the `done` data.
pub(super) async fn finish(response: reqwest::Response, after_seq: u64) -> (String, Value) {
    finish_reading(Reader::new(response, Duration::from_secs(10)), after_seq).await
}

/// [`finish`] for a stream already being read (its `meta` may be read already).
pub(super) async fn finish_reading(reader: Reader, after_seq: u64) -> (String, Value) {
    let frames = reader.rest().await;
    let (mut text, mut done, mut expected) = (String::new(), None, after_seq + 1);
    for (n, frame) in frames.into_iter().enumerate() {
        let Frame::Event { id, name, data } = frame else {
            continue;
        };
        if name == "meta" {
            assert_eq!(n, 0, "a resumed stream starts with meta");
            continue;
        }
        assert!(done.is_none(), "nothing after done");
        assert_eq!(
            seq(&id.expect("an id")),
            expected,
            "ids continue without gaps or repeats"
        );
        expected += 1;
        match name.as_str() {
            "delta" => text.push_str(data["content"].as_str().expect("content")),
            "done" => done = Some(data),
            other => panic!("unexpected {other} event: {data}"),
        }
    }
    (text, done.expect("a done event"))
}

/// Waits until the chat's answer is stored as complete.
pub(super) async fn wait_stored(app: &TestApp, token: &str, chat: &str) -> Value {
    for _ in 0..100 {
        let page: Value = app
            .get(&format!("/chats/{chat}"), Some(token))
            .await
            .json()
            .await
            .unwrap_or(Value::Null);
        let last = page["messages"].as_array().and_then(|m| m.last()).cloned();
        if let Some(last) = last.filter(|m| m["status"] == "complete") {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the answer was never stored");
}

#[tokio::test]
async fn a_client_that_reconnects_gets_exactly_what_it_missed() {
    let app = app_with_paced_model(Duration::from_millis(120), &[]).await;
    let token = user(&app).await;
    let mut started = start(&app, &token).await;
    let (before, last, seqs) = read_deltas(&mut started.reader, 6).await;
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>(), "ids count the events");
    drop(started.reader);

    let ids = (started.chat_id.as_str(), started.message_id.as_str());
    let response = resume(&app, &app.address, &token, ids, Some(&last)).await;
    let (after, done) = finish(response, 6).await;
    let whole = pieces().concat();
    assert_eq!(
        format!("{before}{after}"),
        whole,
        "the exact answer, nothing twice"
    );
    assert_eq!(done["message"]["content"], whole.as_str());
    assert_eq!(done["chat_id"], started.chat_id.as_str());
}

#[tokio::test]
async fn another_instance_resumes_a_stream_it_does_not_generate() {
    let app = app_with_paced_model(Duration::from_millis(120), &[]).await;
    let replica = app.spawn_replica().await;
    let token = user(&app).await;
    let mut started = start(&app, &token).await;
    let (before, last, _) = read_deltas(&mut started.reader, 5).await;
    drop(started.reader);

    let ids = (started.chat_id.as_str(), started.message_id.as_str());
    let response = resume(&app, &replica.address, &token, ids, Some(&last)).await;
    let mut reader = Reader::new(response, Duration::from_secs(10));
    assert!(matches!(reader.next().await, Some(Frame::Event { name, .. }) if name == "meta"));
    let (missed, _, seqs) = read_deltas(&mut reader, 1).await;
    assert_eq!(seqs, vec![6]);
    let page: Value = app
        .get(&format!("/chats/{}", ids.0), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let answer = page["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        answer["status"], "incomplete",
        "served live, while the answer is written"
    );
    let (after, done) = finish_reading(reader, 6).await;
    assert_eq!(format!("{before}{missed}{after}"), pieces().concat());
    assert_eq!(done["message"]["status"], "complete");
}

#[tokio::test]
async fn a_reconnect_after_the_answer_finished_gets_it_at_once() {
    let app = app_with_paced_model(Duration::from_millis(10), &[]).await;
    let token = user(&app).await;
    let mut started = start(&app, &token).await;
    let (before, last, _) = read_deltas(&mut started.reader, 4).await;
    drop(started.reader);
    wait_stored(&app, &token, &started.chat_id).await;
    let whole = pieces().concat();
    let ids = (started.chat_id.as_str(), started.message_id.as_str());

    let begun = std::time::Instant::now();
    let (after, _) = finish(
        resume(&app, &app.address, &token, ids, Some(&last)).await,
        4,
    )
    .await;
    assert_eq!(format!("{before}{after}"), whole, "from the log");
    let (all, done) = finish(resume(&app, &app.address, &token, ids, None).await, 0).await;
    assert_eq!(all, whole, "without Last-Event-ID, everything");
    assert_eq!(done["message"]["content"], whole.as_str());

    // Once the log is gone (expired), the stored answer serves the same rest.
    let key = format!("answer:{{{}}}", started.message_id);
    assert!(
        super::support::redis_has(&app, &key).await,
        "the events were in Redis"
    );
    delete_key(&app, &key).await;
    let (after, done) = finish(
        resume(&app, &app.address, &token, ids, Some(&last)).await,
        4,
    )
    .await;
    assert_eq!(format!("{before}{after}"), whole, "from the store");
    assert_eq!(done["message"]["content"], whole.as_str());
    assert!(
        begun.elapsed() < Duration::from_secs(3),
        "no waiting for a finished answer"
    );
}

async fn delete_key(app: &TestApp, key: &str) {
    use fred::prelude::*;
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let redis = Builder::from_config(Config::from_url(&url).expect("redis url"))
        .build()
        .expect("redis client");
    redis.init().await.expect("redis up");
    let deleted: i64 = redis
        .del(format!("{}{key}", app.redis_prefix))
        .await
        .expect("DEL");
    assert_eq!(deleted, 1);
    let _ = redis.quit().await;
}

#[tokio::test]
async fn only_the_owner_resumes_and_only_with_an_id_it_was_sent() {
    let app = app_with_paced_model(Duration::from_millis(10), &[]).await;
    let token = user(&app).await;
    let started = start(&app, &token).await;
    let frames = started.reader.rest().await;
    assert!(!frames.is_empty(), "the answer streamed");
    let ids = (started.chat_id.as_str(), started.message_id.as_str());
    let mallory = user(&app).await;
    let response = resume(&app, &app.address, &mallory, ids, None).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    let other = uuid::Uuid::now_v7().to_string();
    let missing = resume(&app, &app.address, &token, (ids.0, &other), None).await;
    assert_eq!(missing.status(), 404);
    let bad = resume(&app, &app.address, &token, ids, Some("not-an-id")).await;
    let status = bad.status().as_u16();
    let body: Value = bad.json().await.unwrap_or(Value::Null);
    assert_eq!((status, code(&body)), (422, "validation_failed"), "{body}");
}
