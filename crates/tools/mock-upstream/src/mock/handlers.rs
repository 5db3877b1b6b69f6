//! The mock's routes. Bodies are written with `format!` rather than built as JSON
//! values: the mock shares the machine's cores with the service under test, so it
//! should cost as little as possible per request.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{HttpResponse, web};
use bytes::Bytes;
use futures_util::stream;
use serde::Deserialize;

use super::{MockConfig, Mode};

#[derive(Deserialize)]
pub(super) struct ChatBody {
    #[serde(default)]
    model: String,
    #[serde(default)]
    stream: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Input {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
pub(super) struct EmbedBody {
    input: Input,
}

pub(super) async fn health() -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

/// OpenRouter's `GET /key`: every key is one it knows.
pub(super) async fn key() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "data": {"label": "mock", "usage": 0, "limit": null, "is_free_tier": false}
    }))
}

fn created() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn usage(chunks: u32) -> String {
    format!(
        r#"{{"prompt_tokens":12,"completion_tokens":{chunks},"total_tokens":{}}}"#,
        12 + chunks
    )
}

/// `model` as it is safe to echo inside a JSON string.
fn echo(model: &str) -> String {
    model
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "/-_.:@+".contains(*c))
        .collect()
}

pub(super) async fn chat(config: web::Data<MockConfig>, body: web::Json<ChatBody>) -> HttpResponse {
    let mode = config.mode.for_model(&body.model);
    let model = echo(&body.model);
    if body.stream {
        return stream_answer(mode, model);
    }
    if !mode.latency.is_zero() {
        tokio::time::sleep(mode.latency).await;
    }
    let mut content = String::new();
    for i in 0..mode.chunks {
        let _ = write!(content, "tok{i} ");
    }
    let body = format!(
        r#"{{"id":"mock-1","object":"chat.completion","created":{},"model":"{model}","choices":[{{"index":0,"message":{{"role":"assistant","content":"{content}"}},"finish_reason":"stop"}}],"usage":{}}}"#,
        created(),
        usage(mode.chunks)
    );
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

/// An n8n workflow's "Respond to Webhook" answer, `{"output": ...}`, after the server's
/// latency: what a custom model's webhook returns (without usage, as n8n does).
pub(super) async fn webhook(config: web::Data<MockConfig>) -> HttpResponse {
    let mode = config.mode;
    if !mode.latency.is_zero() {
        tokio::time::sleep(mode.latency).await;
    }
    let mut content = String::new();
    for i in 0..mode.chunks {
        let _ = write!(content, "tok{i} ");
    }
    HttpResponse::Ok()
        .content_type("application/json")
        .body(format!(r#"{{"output":"{content}"}}"#))
}

/// `latency` before the first chunk, then one chunk every `chunk_gap`; the last one
/// carries `finish_reason` and usage, then `[DONE]`.
fn stream_answer(mode: Mode, model: String) -> HttpResponse {
    let created = created();
    let events = stream::unfold(0_u32, move |i| {
        let model = model.clone();
        async move {
            let pause = match i {
                0 => mode.latency,
                i if i < mode.chunks => mode.chunk_gap,
                _ => Duration::ZERO,
            };
            let text = match i {
                i if i < mode.chunks => format!(
                    "data: {{\"id\":\"mock-1\",\"object\":\"chat.completion.chunk\",\"created\":{created},\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"tok{i} \"}},\"finish_reason\":null}}]}}\n\n"
                ),
                i if i == mode.chunks => format!(
                    "data: {{\"id\":\"mock-1\",\"object\":\"chat.completion.chunk\",\"created\":{created},\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}],\"usage\":{}}}\n\ndata: [DONE]\n\n",
                    usage(mode.chunks)
                ),
                _ => return None,
            };
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            Some((Ok::<_, std::convert::Infallible>(Bytes::from(text)), i + 1))
        }
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .streaming(events)
}

pub(super) async fn embeddings(
    config: web::Data<MockConfig>,
    body: web::Json<EmbedBody>,
) -> HttpResponse {
    let texts = match &body.input {
        Input::One(text) => std::slice::from_ref(text),
        Input::Many(texts) => texts.as_slice(),
    };
    let mut out = String::with_capacity(64 + texts.len() * config.dimensions * 10);
    out.push_str(r#"{"object":"list","model":"mock-embeddings","data":["#);
    for (index, text) in texts.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"object":"embedding","index":{index},"embedding":["#
        );
        for (i, value) in vector(text, config.dimensions).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{value:.5}");
        }
        out.push_str("]}");
    }
    let _ = write!(
        out,
        r#"],"usage":{{"prompt_tokens":{0},"total_tokens":{0}}}}}"#,
        texts.len() * 8
    );
    HttpResponse::Ok()
        .content_type("application/json")
        .body(out)
}

/// A unit vector that depends only on `text` (FNV-1a seeding xorshift), so equal
/// texts embed equally, as with a real model.
fn vector(text: &str, dimensions: usize) -> Vec<f32> {
    let mut state = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) | 1;
    let mut values: Vec<f32> = (0..dimensions)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // The top 24 bits fit an f32 exactly.
            #[allow(clippy::cast_precision_loss)]
            let unit = (state >> 40) as f32 / 16_777_216.0;
            unit - 0.5
        })
        .collect();
    let norm = values
        .iter()
        .map(|v| v * v)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    for value in &mut values {
        *value /= norm;
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_deterministic_unit_vectors() {
        let a = vector("hello", 384);
        assert_eq!(a, vector("hello", 384));
        assert_ne!(a, vector("hello!", 384));
        let norm: f32 = a.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
    }
}
