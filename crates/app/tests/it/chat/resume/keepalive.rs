//! A model slower to its first token than a proxy's idle limit: the stream gets
//! keep-alive comments meanwhile, so a client reading with that limit is never cut.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::reader::{Frame, Reader};
use crate::chat::support::{COMPLETIONS, sse_body, user};
use crate::harness::TestApp;

#[tokio::test]
async fn a_slow_first_token_is_kept_alive() {
    let settings = [
        ("SSE_KEEPALIVE_SECONDS", "1"),
        ("LLM_TIMEOUT_SECONDS", "15"),
    ];
    let app = TestApp::spawn_with(&settings).await;
    let token = user(&app).await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(
                    sse_body(&["Devagar ", "e sempre."], (2, 2)),
                    "text/event-stream",
                )
                .set_delay(Duration::from_secs(6)),
        )
        .mount(&app.upstream)
        .await;
    // An idle proxy that cuts a stream silent for 2 s. The response itself starts long
    // before the model's first token: the opening waits at most the keep-alive interval
    // (the rest of this bound is the turn's own work on a busy machine).
    let idle = Duration::from_secs(2);
    let body = json!({"prompt": "Pense bem", "stream": true});
    let request = app.post("/chat", Some(&token), &body);
    let response = tokio::time::timeout(Duration::from_secs(4), request)
        .await
        .expect("the response starts before the first token");
    let mut reader = Reader::new(response, idle);
    let (mut comments_before_text, mut text, mut done) = (0, String::new(), false);
    while let Some(frame) = reader.next().await {
        match frame {
            Frame::Comment if text.is_empty() => comments_before_text += 1,
            Frame::Comment => {}
            Frame::Event { name, data, .. } => match name.as_str() {
                "delta" => text.push_str(data["content"].as_str().unwrap_or_default()),
                "done" => done = true,
                _ => {}
            },
        }
    }
    assert!(
        comments_before_text >= 3,
        "keep-alives while the model thinks: {comments_before_text}"
    );
    assert_eq!(text, "Devagar e sempre.");
    assert!(done);
}
