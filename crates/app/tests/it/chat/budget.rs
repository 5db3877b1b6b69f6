//! The budget of answers in progress per user (#13 item 8): one more than
//! `MAX_GENERATIONS_PER_USER` is 429 `too_many_streams` with `Retry-After`, in the
//! native error shape on `POST /chat` and OpenAI's on `/v1`.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{COMPLETIONS, code, prompt, sse_body, upstream_calls, user};
use crate::harness::TestApp;

fn retry_after(headers: &reqwest::header::HeaderMap) -> u64 {
    headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn answers_past_the_budget_are_429_too_many_streams_until_one_finishes() {
    let app = TestApp::spawn_with(&[("MAX_GENERATIONS_PER_USER", "1")]).await;
    let token = user(&app).await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sse_body(&["slow ", "answer"], (2, 2)), "text/event-stream")
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&app.upstream)
        .await;

    let streaming = {
        let (client, url, token) = (app.client.clone(), app.url("/chat"), token.clone());
        tokio::spawn(async move {
            let body = json!({"prompt": "take your time", "stream": true});
            let response = client.post(url).bearer_auth(token).json(&body).send().await;
            response.expect("POST /chat").text().await.expect("stream")
        })
    };
    while upstream_calls(&app.upstream).await == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let (status, headers, error) = prompt(&app, &token, &json!({"prompt": "and this"})).await;
    assert_eq!((status, code(&error)), (429, "too_many_streams"), "{error}");
    assert!(error["error"]["message"].is_string(), "{error}");
    assert!((1..=30).contains(&retry_after(&headers)));

    let response = app
        .client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(&token)
        .json(&json!({"model": "openai/gpt-4o-mini", "stream": true,
            "messages": [{"role": "user", "content": "and this"}]}))
        .send()
        .await
        .expect("POST /v1/chat/completions");
    assert_eq!(response.status().as_u16(), 429);
    assert!((1..=30).contains(&retry_after(response.headers())));
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["code"], "too_many_streams", "{error}");
    assert_eq!(error["error"]["type"], "rate_limit_error", "{error}");
    assert_eq!(
        upstream_calls(&app.upstream).await,
        1,
        "no model call when refused"
    );

    let other = user(&app).await;
    let streamed = json!({"prompt": "another user", "stream": true});
    let (status, _, _) = prompt(&app, &other, &streamed).await;
    assert_eq!(status, 200, "another user's budget is apart");

    assert!(
        streaming
            .await
            .expect("stream task")
            .contains("event: done")
    );
    // The slot is given back just after the last event.
    let mut attempts = 0;
    loop {
        let streamed = json!({"prompt": "now", "stream": true});
        let (status, _, body) = prompt(&app, &token, &streamed).await;
        if status == 200 {
            break;
        }
        assert_eq!((status, code(&body)), (429, "too_many_streams"), "{body}");
        attempts += 1;
        assert!(attempts < 50, "the finished answer's slot never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
