//! Shared helpers: a fake n8n server (a real HTTP/1.1 server on 127.0.0.1 that records
//! each request and sends a scripted reply, in timed pieces when asked), clients, calls
//! and endpoints.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use polychat_domain::ports::{
    LlmError, LlmMessage, LlmStream, StreamEvent, WebhookCall, WebhookEndpoint, WebhookKind,
};
use polychat_domain::{Role, UserId};
use polychat_webhook::{NetworkPolicy, WebhookClient};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub(crate) const SECRET: &str = "whsec_test_0123456789";

/// A request as the fake received it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// What the fake answers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    /// Waited before the status line.
    pub(crate) head_delay: Duration,
    /// The body, in pieces each sent after its delay (chunked encoding).
    pub(crate) pieces: Vec<(Duration, Vec<u8>)>,
    /// Send `Content-Length` and the body in one piece instead of chunks.
    pub(crate) sized: bool,
}

impl Reply {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            head_delay: Duration::ZERO,
            pieces: vec![(Duration::ZERO, body.into())],
            sized: true,
        }
    }

    pub(crate) fn json(body: &serde_json::Value) -> Self {
        Self::new(200, "application/json", body.to_string())
    }

    /// A chunked body sent in timed pieces.
    pub(crate) fn paced(content_type: &str, pieces: Vec<(Duration, &str)>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            head_delay: Duration::ZERO,
            pieces: pieces
                .into_iter()
                .map(|(delay, text)| (delay, text.as_bytes().to_vec()))
                .collect(),
            sized: false,
        }
    }
}

/// A fake webhook server on 127.0.0.1, answering every request with `reply`.
pub(crate) struct Fake {
    pub(crate) addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Fake {
    pub(crate) async fn start(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let reply = reply.clone();
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move { serve(socket, &reply, &recorded).await });
            }
        });
        Self { addr, requests }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/webhook/model-1", self.addr)
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(mut socket: TcpStream, reply: &Reply, recorded: &Mutex<Vec<Recorded>>) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    recorded.lock().unwrap().push(request);
    tokio::time::sleep(reply.head_delay).await;
    let mut head = format!("HTTP/1.1 {} Fake\r\nconnection: close\r\n", reply.status);
    for (name, value) in &reply.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if reply.sized {
        let length: usize = reply.pieces.iter().map(|(_, piece)| piece.len()).sum();
        let _ = write!(head, "content-length: {length}\r\n\r\n");
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for (_, piece) in &reply.pieces {
            let _ = socket.write_all(piece).await;
        }
        return;
    }
    head.push_str("transfer-encoding: chunked\r\n\r\n");
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    for (delay, piece) in &reply.pieces {
        tokio::time::sleep(*delay).await;
        let chunk = [format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat();
        if socket.write_all(&chunk).await.is_err() || socket.flush().await.is_err() {
            return;
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
}

async fn read_request(socket: &mut TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}

/// A policy opening loopback, so the fakes can be reached.
pub(crate) fn loopback_policy() -> NetworkPolicy {
    NetworkPolicy::parse("127.0.0.0/8").unwrap()
}

pub(crate) fn client() -> WebhookClient {
    WebhookClient::new(loopback_policy(), WebhookClient::DEFAULT_MAX_ANSWER_BYTES).unwrap()
}

pub(crate) fn endpoint(url: &str) -> WebhookEndpoint {
    WebhookEndpoint {
        url: url.to_owned(),
        headers: vec![
            ("X-Api-Key".to_owned(), SecretString::from("n8n-key-42")),
            ("X-Tenant".to_owned(), SecretString::from("acme")),
        ],
        signing_secret: SecretString::from(SECRET),
        timeout: Duration::from_secs(5),
    }
}

pub(crate) fn user_id() -> UserId {
    UserId::parse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").unwrap()
}

/// A chat call, streaming or not.
pub(crate) fn chat_call(stream: bool) -> WebhookCall {
    WebhookCall {
        model: "support-bot".to_owned(),
        kind: WebhookKind::Chat,
        messages: vec![
            LlmMessage::text(Role::System, "Be brief."),
            LlmMessage::text(Role::User, "Hello, world!"),
        ],
        prompt: None,
        chat_input: "Hello, world!".to_owned(),
        session_id: "chat-123".to_owned(),
        user_id: user_id(),
        stream,
    }
}

/// Every item of a stream, in order.
pub(crate) async fn collect(stream: LlmStream) -> Vec<Result<StreamEvent, LlmError>> {
    stream.collect().await
}

/// The deltas of a stream, and how it ended.
pub(crate) fn split(
    events: Vec<Result<StreamEvent, LlmError>>,
) -> (Vec<String>, Result<StreamEvent, LlmError>) {
    let mut deltas = Vec::new();
    let mut last = None;
    for event in events {
        assert!(last.is_none(), "an event followed the stream's end");
        match event {
            Ok(StreamEvent::Delta(delta)) => deltas.push(delta),
            other => last = Some(other),
        }
    }
    (
        deltas,
        last.expect("the stream ended without Finished or an error"),
    )
}

/// One n8n stream line.
pub(crate) fn line(kind: &str, content: &str) -> String {
    format!(
        "{}\n",
        serde_json::json!({"type": kind, "content": content,
                           "metadata": {"nodeId": "agent-1", "nodeName": "AI Agent"}})
    )
}

/// One OpenAI SSE chunk carrying `content`.
pub(crate) fn sse_delta(content: &str) -> String {
    let chunk = serde_json::json!({
        "id": "c-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]
    });
    format!("data: {chunk}\n\n")
}
