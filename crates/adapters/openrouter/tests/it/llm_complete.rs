//! Whole answers: headers sent, status mapping, retries before the first byte.

use std::time::Duration;

use polychat_domain::ports::{LlmError, LlmProvider};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{KEY, client, config, request};

const ENDPOINT: &str = "/api/v1/chat/completions";

fn answer(content: &str) -> serde_json::Value {
    json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "openai/gpt-4o-mini",
        "provider": "OpenAI",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop", "native_finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    })
}

async fn server_answering(template: ResponseTemplate, expected_calls: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(template)
        .expect(expected_calls)
        .mount(&server)
        .await;
    server
}

async fn complete_against(
    server: &MockServer,
) -> Result<polychat_domain::ports::Completion, LlmError> {
    let base = format!("{}/api/v1", server.uri());
    client(&config(&base)).complete(request()).await
}

#[tokio::test]
async fn sends_key_attribution_headers_and_the_openai_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("http-referer", "https://polychat.example"))
        .and(header("x-title", "polychat"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "model": "openai/gpt-4o-mini",
            "max_tokens": 100,
            "messages": [
                {"role": "system", "content": "The user is a software developer."},
                {"role": "user", "content": "Olá!"}
            ]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer("Olá, dev!")))
        .expect(1)
        .mount(&server)
        .await;
    let mut config = config(&format!("{}/api/v1/", server.uri()));
    config.referer = Some("https://polychat.example".to_owned());
    config.title = Some("polychat".to_owned());

    let completion = client(&config).complete(request()).await.unwrap();
    assert_eq!(completion.content, "Olá, dev!");
    assert_eq!(completion.model.unwrap().as_str(), "openai/gpt-4o-mini");
    assert_eq!(completion.usage.total_tokens, 15);
    let sent = &server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert!(
        body.get("stream").is_none(),
        "a whole answer must not ask for a stream"
    );
}

#[tokio::test]
async fn statuses_map_to_the_contract_without_retrying_client_errors() {
    type Check = fn(&LlmError) -> bool;
    let cases: [(u16, Check); 4] = [
        (401, |e| matches!(e, LlmError::Unauthorized)),
        (403, |e| matches!(e, LlmError::Unauthorized)),
        (402, |e| matches!(e, LlmError::InsufficientCredits)),
        (
            400,
            |e| matches!(e, LlmError::Upstream(text) if text.contains("400") && text.contains("bad model")),
        ),
    ];
    for (status, expected) in cases {
        let body = json!({"error": {"code": status, "message": format!("bad model for {KEY}")}});
        let server = server_answering(ResponseTemplate::new(status).set_body_json(body), 1).await;
        let error = complete_against(&server).await.unwrap_err();
        assert!(expected(&error), "{status} gave {error:?}");
        assert!(!error.to_string().contains(KEY), "the key leaked: {error}");
        server.verify().await;
    }
}

#[tokio::test]
async fn rate_limit_reports_a_long_retry_after_instead_of_waiting() {
    let seconds = ResponseTemplate::new(429).insert_header("retry-after", "30");
    let server = server_answering(seconds, 1).await;
    let error = complete_against(&server).await.unwrap_err();
    assert!(
        matches!(error, LlmError::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(30)),
        "{error:?}"
    );

    let in_a_minute = std::time::SystemTime::now() + Duration::from_secs(61);
    let date =
        ResponseTemplate::new(429).insert_header("retry-after", httpdate(in_a_minute).as_str());
    let server = server_answering(date, 1).await;
    let error = complete_against(&server).await.unwrap_err();
    let LlmError::RateLimited {
        retry_after: Some(wait),
    } = error
    else {
        panic!("expected a rate limit with a delay, got {error:?}");
    };
    assert!(
        (Duration::from_secs(55)..=Duration::from_secs(61)).contains(&wait),
        "{wait:?}"
    );
}

#[tokio::test]
async fn short_retry_after_and_server_errors_are_retried_before_the_first_byte() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer("finally")))
        .with_priority(3)
        .mount(&server)
        .await;
    let completion = complete_against(&server).await.unwrap();
    assert_eq!(completion.content, "finally");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = server_answering(ResponseTemplate::new(503).set_body_string("down"), 3).await;
    let error = complete_against(&server).await.unwrap_err();
    assert!(
        matches!(&error, LlmError::Upstream(text) if text.contains("503")),
        "{error:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn error_body_with_http_200_is_mapped_by_its_code() {
    let body = json!({"error": {"code": 402, "message": "Insufficient credits"}});
    let server = server_answering(ResponseTemplate::new(200).set_body_json(body), 1).await;
    assert!(matches!(
        complete_against(&server).await,
        Err(LlmError::InsufficientCredits)
    ));
}

#[tokio::test]
async fn slow_headers_time_out_and_are_not_retried() {
    let slow = ResponseTemplate::new(200)
        .set_body_json(answer("late"))
        .set_delay(Duration::from_secs(3));
    let server = server_answering(slow, 1).await;
    let mut config = config(&format!("{}/api/v1", server.uri()));
    config.first_byte_timeout = Duration::from_millis(300);
    let error = client(&config).complete(request()).await.unwrap_err();
    assert!(matches!(error, LlmError::Timeout), "{error:?}");
    server.verify().await;
}

#[tokio::test]
async fn oversized_and_malformed_replies_are_refused() {
    let huge = answer(&"x".repeat(64 * 1024));
    let server = server_answering(ResponseTemplate::new(200).set_body_json(huge), 1).await;
    let mut config = config(&format!("{}/api/v1", server.uri()));
    config.max_response_bytes = 16 * 1024;
    let error = client(&config).complete(request()).await.unwrap_err();
    assert!(
        matches!(&error, LlmError::Upstream(text) if text.contains("exceeds")),
        "{error:?}"
    );

    let server = server_answering(ResponseTemplate::new(200).set_body_string("<html>"), 1).await;
    let error = complete_against(&server).await.unwrap_err();
    assert!(
        matches!(&error, LlmError::Upstream(text) if text.contains("malformed")),
        "{error:?}"
    );
}

#[tokio::test]
async fn unreachable_upstream_is_an_upstream_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = client(&config(&format!("http://{address}/api/v1")))
        .complete(request())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, LlmError::Upstream(text) if text.contains("connect")),
        "{error:?}"
    );
}

/// An IMF-fixdate, as `Retry-After` carries it.
fn httpdate(at: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}
