//! The LLM upstream the browser tests talk to: an OpenAI-style server that lists two
//! models and streams its answers a word at a time (so the page shows them arriving),
//! answering for the model it was asked, with content chosen by the prompt: `xss` gets
//! markup that must execute nothing, `long` a slow answer to stop, `no credits` a 402,
//! `rate limit` a 429 (retry after 7 s), anything else a markdown answer with a code block.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What an answer to `xss` contains: an image with an error handler, a script, a
/// `javascript:` link in markdown and in HTML, and a normal link.
const XSS: &str = "Look: <img src=x onerror=\"window.__xss=1;alert(1)\"> and \
    <script>window.__xss=2;alert(2)</script> then [click me](javascript:window.__xss=3;alert(3)) \
    or <a href=\"javascript:alert(4)\">this</a> and [the docs](https://example.com/docs).";

const ANSWER: &str = "Olá! **Rust** is a fine choice.\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\nAnything else?";

/// Starts the server; returns its base URL (to use as `{base}/api/v1`).
pub(crate) async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket));
        }
    });
    format!("http://{address}")
}

/// Reads one request: its first line and its body.
async fn read_request(socket: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
    }
    let line = head.lines().next().unwrap_or_default().to_owned();
    Some((line, data[head_end..head_end + length].to_vec()))
}

async fn serve(mut socket: TcpStream) {
    let Some((line, body)) = read_request(&mut socket).await else {
        return;
    };
    if line.starts_with("GET") && line.contains("/models") {
        let catalog = json!({"data": [
            {"id": "openai/gpt-4o-mini", "name": "GPT-4o mini", "created": 1_721_260_800},
            {"id": "anthropic/claude-3.5-sonnet", "name": "Claude 3.5 Sonnet", "created": 1_718_841_600},
        ]});
        let _ = respond(&mut socket, "application/json", &catalog.to_string()).await;
        return;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let model = request["model"]
        .as_str()
        .unwrap_or("openai/gpt-4o-mini")
        .to_owned();
    let prompt = request["messages"]
        .as_array()
        .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_lowercase();
    if prompt.contains("no credits") {
        let _ = respond_status(&mut socket, "402 Payment Required", "").await;
        return;
    }
    if prompt.contains("rate limit") {
        let _ = respond_status(&mut socket, "429 Too Many Requests", "retry-after: 7\r\n").await;
        return;
    }
    let (text, gap) = if prompt.contains("xss") {
        (XSS.to_owned(), Duration::from_millis(5))
    } else if prompt.contains("long") {
        ("and so on ".repeat(300), Duration::from_millis(50))
    } else {
        (ANSWER.to_owned(), Duration::from_millis(40))
    };
    if request["stream"] == true {
        let _ = stream(&mut socket, &model, &text, gap).await;
    } else {
        let answer = json!({"id": "gen-ui", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32}});
        let _ = respond(&mut socket, "application/json", &answer.to_string()).await;
    }
}

async fn respond(socket: &mut TcpStream, content_type: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body.as_bytes()).await
}

/// An upstream error: `status` with OpenRouter's error body and `headers` (CRLF-ended).
async fn respond_status(
    socket: &mut TcpStream,
    status: &str,
    headers: &str,
) -> std::io::Result<()> {
    let code: u16 = status[..3].parse().unwrap_or(500);
    let body = json!({"error": {"code": code, "message": status}}).to_string();
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body.as_bytes()).await
}

/// Streams `text` word by word, `gap` apart, then usage and `[DONE]`.
async fn stream(
    socket: &mut TcpStream,
    model: &str,
    text: &str,
    gap: Duration,
) -> std::io::Result<()> {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
    socket.write_all(head.as_bytes()).await?;
    let chunk = |delta: Value, finish: Value, usage: Option<Value>| {
        let mut chunk = json!({"id": "gen-ui", "object": "chat.completion.chunk", "created": 1,
            "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        if let Some(usage) = usage {
            chunk["usage"] = usage;
        }
        format!("data: {chunk}\n\n")
    };
    let words = text
        .split_inclusive(' ')
        .map(|word| chunk(json!({"content": word}), Value::Null, None));
    let usage = json!({"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32});
    let frames = words.chain([
        chunk(json!({}), json!("stop"), Some(usage)),
        "data: [DONE]\n\n".to_owned(),
    ]);
    for frame in frames {
        socket
            .write_all(format!("{:x}\r\n{frame}\r\n", frame.len()).as_bytes())
            .await?;
        tokio::time::sleep(gap).await;
    }
    socket.write_all(b"0\r\n\r\n").await
}
