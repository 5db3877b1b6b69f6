//! Failures of a call: error statuses, redirects (never followed), timeouts, a refused
//! connection, unreadable or empty answers, oversized answers.

use std::time::Duration;

use polychat_domain::ports::{LlmError, WebhookCaller};
use polychat_webhook::WebhookClient;
use serde_json::json;

use crate::support::{Fake, Reply, chat_call, client, endpoint, loopback_policy};

fn upstream<T: std::fmt::Debug>(result: Result<T, LlmError>) -> String {
    match result {
        Err(
            LlmError::Upstream(message)
            | LlmError::Status {
                detail: message, ..
            },
        ) => message,
        other => panic!("expected an upstream error, got {other:?}"),
    }
}

async fn complete_error(reply: Reply) -> String {
    let fake = Fake::start(reply).await;
    upstream(
        client()
            .complete(&endpoint(&fake.url()), &chat_call(false))
            .await,
    )
}

#[tokio::test]
async fn a_500_is_upstream_for_both_calls() {
    let fake_500 = Fake::start(Reply::new(
        500,
        "application/json",
        "{\"message\":\"boom\"}",
    ))
    .await;
    let message = upstream(
        client()
            .complete(&endpoint(&fake_500.url()), &chat_call(false))
            .await,
    );
    assert_eq!(message, "the webhook answered with status 500");
    let message = upstream(
        client()
            .stream(&endpoint(&fake_500.url()), &chat_call(true))
            .await
            .map(|_| ()),
    );
    assert_eq!(message, "the webhook answered with status 500");
    let result = client()
        .complete(&endpoint(&fake_500.url()), &chat_call(false))
        .await;
    assert!(
        matches!(result, Err(LlmError::Status { status: 500, .. })),
        "the status is kept: {result:?}"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let target = Fake::start(Reply::json(&json!({"output": "reached"}))).await;
    let mut redirect = Reply::new(302, "text/plain", "");
    redirect.headers.push((
        "location".to_owned(),
        format!("http://{}/internal", target.addr),
    ));
    let message = complete_error(redirect.clone()).await;
    assert!(message.contains("redirect (302)"), "{message}");

    let fake = Fake::start(redirect).await;
    let result = client()
        .stream(&endpoint(&fake.url()), &chat_call(true))
        .await
        .map(|_| ());
    assert!(upstream(result).contains("redirect"));
    assert!(target.requests().is_empty(), "the redirect target was hit");
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_a_timeout() {
    let mut slow = Reply::json(&json!({"output": "late"}));
    slow.head_delay = Duration::from_millis(1500);
    let fake = Fake::start(slow).await;
    let mut endpoint = endpoint(&fake.url());
    endpoint.timeout = Duration::from_millis(300);

    let result = client().complete(&endpoint, &chat_call(false)).await;
    assert!(matches!(result, Err(LlmError::Timeout)), "{result:?}");
    let result = client()
        .stream(&endpoint, &chat_call(true))
        .await
        .map(|_| ());
    assert!(matches!(result, Err(LlmError::Timeout)), "{result:?}");
}

#[tokio::test]
async fn a_whole_answer_that_trickles_past_the_timeout_is_a_timeout() {
    // Each chunk is within the timeout, but complete bounds the whole answer.
    let pieces = (0..8)
        .map(|_| (Duration::from_millis(100), "x"))
        .collect::<Vec<_>>();
    let fake = Fake::start(Reply::paced("text/plain", pieces)).await;
    let mut endpoint = endpoint(&fake.url());
    endpoint.timeout = Duration::from_millis(400);
    let result = client().complete(&endpoint, &chat_call(false)).await;
    assert!(matches!(result, Err(LlmError::Timeout)), "{result:?}");
}

#[tokio::test]
async fn a_refused_connection_is_upstream() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}/webhook");
    let message = upstream(client().complete(&endpoint(&url), &chat_call(false)).await);
    assert_eq!(message, "could not connect to the webhook");
    let message = upstream(
        client()
            .stream(&endpoint(&url), &chat_call(true))
            .await
            .map(|_| ()),
    );
    assert_eq!(message, "could not connect to the webhook");
}

#[tokio::test]
async fn garbage_and_empty_bodies_are_upstream() {
    let message = complete_error(Reply::new(200, "application/json", "<html>oops")).await;
    assert_eq!(message, "the webhook's answer is not readable");
    let message = complete_error(Reply::json(&json!({"status": "ok", "count": 3}))).await;
    assert_eq!(message, "the webhook's answer holds no text");
    let message = complete_error(Reply::new(200, "application/json", "")).await;
    assert_eq!(message, "the webhook's answer is empty");
    let message = complete_error(Reply::new(200, "text/html", "<p>hi</p>")).await;
    assert_eq!(message, "the webhook's answer is not readable");

    let fake = Fake::start(Reply::new(200, "application/json", "<html>oops")).await;
    let result = client()
        .stream(&endpoint(&fake.url()), &chat_call(true))
        .await
        .map(|_| ());
    assert_eq!(upstream(result), "the webhook's answer is not readable");
}

#[tokio::test]
async fn an_answer_over_the_bound_is_upstream() {
    let client = WebhookClient::new(loopback_policy(), 1024).unwrap();
    let big = format!("{{\"output\": \"{}\"}}", "a".repeat(4096));

    // Announced by Content-Length.
    let fake = Fake::start(Reply::new(200, "application/json", big.clone())).await;
    let message = upstream(
        client
            .complete(&endpoint(&fake.url()), &chat_call(false))
            .await,
    );
    assert_eq!(message, "the webhook's answer exceeds 1024 bytes");

    // Chunked, so found while reading; in a stream too.
    let pieces = big
        .as_bytes()
        .chunks(512)
        .map(|piece| (Duration::ZERO, std::str::from_utf8(piece).unwrap()))
        .collect::<Vec<_>>();
    let fake = Fake::start(Reply::paced("application/json", pieces.clone())).await;
    let message = upstream(
        client
            .complete(&endpoint(&fake.url()), &chat_call(false))
            .await,
    );
    assert_eq!(message, "the webhook's answer exceeds 1024 bytes");

    let lines: String = (0..100)
        .map(|_| crate::support::line("item", "0123456789"))
        .collect();
    let fake = Fake::start(Reply::paced(
        "application/json",
        vec![(Duration::ZERO, &lines)],
    ))
    .await;
    // The bound may be crossed before the first delta (the call fails) or after it (the
    // stream ends with the error).
    let last = match client
        .stream(&endpoint(&fake.url()), &chat_call(true))
        .await
    {
        Err(error) => Err(error),
        Ok(stream) => crate::support::collect(stream).await.pop().unwrap(),
    };
    assert_eq!(upstream(last), "the webhook's answer exceeds 1024 bytes");
}

#[tokio::test]
async fn a_url_that_is_not_http_is_upstream() {
    let message = upstream(
        client()
            .complete(&endpoint("ftp://127.0.0.1/x"), &chat_call(false))
            .await,
    );
    assert_eq!(message, "the webhook URL is not an http or https URL");
}
