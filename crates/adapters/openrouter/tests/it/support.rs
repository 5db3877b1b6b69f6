//! Shared helpers: client configs with test-sized deadlines, requests, and a socket
//! server that sends a reply in timed pieces (wiremock cannot pace a body).

use std::time::Duration;

use futures_util::StreamExt;
use polychat_domain::ports::{
    CompletionRequest, GenerationOptions, LlmError, LlmMessage, LlmStream, ModelInput, StreamEvent,
};
use polychat_domain::{ModelName, Role};
use polychat_openrouter::{OpenRouterClient, OpenRouterConfig};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub(crate) const KEY: &str = "sk-or-v1-test-key-0123456789";

/// A config with short deadlines and backoff, so failing paths stay fast.
pub(crate) fn config(base_url: &str) -> OpenRouterConfig {
    let mut config = OpenRouterConfig::new(base_url);
    config.first_byte_timeout = Duration::from_secs(2);
    config.chunk_gap_timeout = Duration::from_secs(2);
    config.total_timeout = Duration::from_secs(10);
    config.backoff_base = Duration::from_millis(20);
    config.backoff_cap = Duration::from_millis(200);
    config
}

pub(crate) fn client(config: &OpenRouterConfig) -> OpenRouterClient {
    OpenRouterClient::new(config).unwrap()
}

pub(crate) fn request() -> CompletionRequest {
    CompletionRequest {
        model: ModelName::parse("openai/gpt-4o-mini").unwrap(),
        input: ModelInput::Chat(vec![
            LlmMessage::text(Role::System, "The user is a software developer."),
            LlmMessage::text(Role::User, "Olá!"),
        ]),
        api_key: SecretString::from(KEY),
        options: GenerationOptions {
            max_tokens: Some(100),
            ..GenerationOptions::default()
        },
    }
}

/// Every item of a stream, in order.
pub(crate) async fn collect(stream: LlmStream) -> Vec<Result<StreamEvent, LlmError>> {
    stream.collect().await
}

/// The text of the stream's deltas, and how it ended.
pub(crate) fn split(
    events: Vec<Result<StreamEvent, LlmError>>,
) -> (String, Result<StreamEvent, LlmError>) {
    let mut text = String::new();
    let mut last = None;
    for event in events {
        assert!(last.is_none(), "an event followed the stream's end");
        match event {
            Ok(StreamEvent::Delta(delta)) => text.push_str(&delta),
            other => last = Some(other),
        }
    }
    (
        text,
        last.expect("the stream ended without Finished or an error"),
    )
}

/// One SSE chunk carrying `content`.
pub(crate) fn delta(content: &str) -> String {
    let chunk = serde_json::json!({
        "id": "gen-1", "object": "chat.completion.chunk", "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": null}]
    });
    format!("data: {chunk}\n\n")
}

/// Serves one connection: an SSE response head, then each piece after its pause.
/// Returns the base URL.
pub(crate) async fn paced_server(pieces: Vec<(Duration, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut request = vec![0_u8; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for (pause, piece) in pieces {
            tokio::time::sleep(pause).await;
            if socket.write_all(piece.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    format!("http://{address}/api/v1")
}
