//! The user's OpenRouter key, password and tokens appear in no response body and no
//! log line. Logs are captured by a DEBUG-level JSON subscriber installed once for
//! the whole test binary (other tests log into it too, which only widens the net).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{COMPLETIONS, Tokens, unique, upstream_answers, upstream_authorizations};
use crate::harness::TestApp;

type Buffer = Arc<Mutex<Vec<u8>>>;

/// Appends log lines to the shared buffer.
struct BufferWriter(Buffer);

impl Write for BufferWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buffer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Clone)]
struct Capture(Buffer);

impl<'a> MakeWriter<'a> for Capture {
    type Writer = BufferWriter;
    fn make_writer(&'a self) -> BufferWriter {
        BufferWriter(self.0.clone())
    }
}

/// Everything logged by this test binary so far, installing the capture on first use.
pub(crate) fn logs() -> String {
    static LOGS: OnceLock<Buffer> = OnceLock::new();
    let buffer = LOGS.get_or_init(|| {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(Capture(buffer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buffer
    });
    let bytes = buffer.lock().unwrap_or_else(PoisonError::into_inner);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Sends requests tagged with one request id and keeps every response.
struct Recorder<'a> {
    app: &'a TestApp,
    request_id: String,
    responses: Vec<String>,
}

impl Recorder<'_> {
    /// Sends a request, checks its status is one of `expected`, returns the JSON body.
    async fn send(
        &mut self,
        (method, path): (Method, &str),
        token: Option<&str>,
        body: &Value,
        expected: &[u16],
    ) -> Value {
        let mut request = self
            .app
            .client
            .request(method, self.app.url(path))
            .header("x-request-id", &self.request_id)
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers());
        let text = response.text().await.expect("body");
        assert!(expected.contains(&status), "{path}: {status} {text}");
        self.responses
            .push(format!("{path} {status} {headers} {text}"));
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// The secrets of the test's user, distinctive enough to grep for.
struct Secrets {
    username: String,
    key: String,
    second_key: String,
    password: String,
    new_password: String,
}

impl Secrets {
    fn new(marker: &str) -> Self {
        Self {
            username: unique("leak"),
            key: format!("sk-or-v1-LEAKCHECK{marker}"),
            second_key: format!("sk-or-v1-SECONDKEY{marker}"),
            password: format!("pw-LEAK-{}", &marker[..16]),
            new_password: format!("pw-NEW-{}", &marker[..16]),
        }
    }

    /// What must never show: the keys (all but the last 4 characters, which the hint
    /// shows) and the passwords.
    fn never_shown(&self) -> [&str; 4] {
        [
            &self.key[..self.key.len() - 4],
            &self.second_key[..self.second_key.len() - 4],
            &self.password,
            &self.new_password,
        ]
    }
}

const POST_REGISTER: (Method, &str) = (Method::POST, "/register");
const POST_LOGIN: (Method, &str) = (Method::POST, "/login");
const POST_CHAT: (Method, &str) = (Method::POST, "/chat");
const POST_REFRESH: (Method, &str) = (Method::POST, "/token/refresh");
const PUT_PROFILE: (Method, &str) = (Method::PUT, "/user/profile");
const GET_PROFILE: (Method, &str) = (Method::GET, "/user/profile");

/// Registration and login, including the error paths that carry the secrets.
async fn accounts(rec: &mut Recorder<'_>, s: &Secrets) -> Tokens {
    let (name, key, password) = (&s.username, &s.key, &s.password);
    let body = json!({"username": name, "password": password, "openrouter_api_key": key});
    rec.send(POST_REGISTER, None, &body, &[201]).await;
    for body in [
        json!({"username": name, "password": password, "openrouter_api_key": key}),
        json!({"username": "x", "password": password, "openrouter_api_key": key}),
        json!({"username": unique("leak"), "password": "short", "openrouter_api_key": key}),
        json!({"username": unique("leak"), "password": password, "openrouter_api_key": format!("{key} ")}),
    ] {
        rec.send(POST_REGISTER, None, &body, &[409, 422]).await;
    }
    let wrong = json!({"username": name, "password": format!("{password}x")});
    rec.send(POST_LOGIN, None, &wrong, &[401]).await;
    let right = json!({"username": name, "password": password});
    Tokens::from_body(&rec.send(POST_LOGIN, None, &right, &[200]).await)
}

/// Chats answered, refused upstream (bad key) and streamed.
async fn chats(rec: &mut Recorder<'_>, s: &Secrets, token: &str) {
    upstream_answers(&rec.app.upstream).await;
    let prompt = json!({"prompt": "Hello"});
    rec.send(POST_CHAT, Some(token), &prompt, &[200]).await;
    rec.app.upstream.reset().await;
    let refusal = json!({"error": {"message": "No auth credentials found", "code": 401}});
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(401).set_body_json(refusal))
        .mount(&rec.app.upstream)
        .await;
    rec.send(POST_CHAT, Some(token), &prompt, &[502]).await;
    let stream = json!({"prompt": "Stream it", "stream": true});
    rec.send(POST_CHAT, Some(token), &stream, &[200, 502]).await;
    let authorizations = upstream_authorizations(&rec.app.upstream).await;
    assert!(!authorizations.is_empty());
    assert!(
        authorizations
            .iter()
            .all(|a| *a == format!("Bearer {}", s.key))
    );
}

/// Profile changes, refresh, replay, logout.
async fn sessions(rec: &mut Recorder<'_>, s: &Secrets, first: &Tokens) -> Tokens {
    let token = Some(first.access.as_str());
    rec.send(GET_PROFILE, token, &json!({}), &[200]).await;
    let wrong =
        json!({"new_password": s.new_password, "current_password": format!("{}x", s.password)});
    rec.send(PUT_PROFILE, token, &wrong, &[422]).await;
    let change = json!({"openrouter_api_key": s.second_key, "new_password": s.new_password,
                        "current_password": s.password});
    rec.send(PUT_PROFILE, token, &change, &[200]).await;
    let refresh = json!({"refresh_token": first.refresh});
    let second = Tokens::from_body(&rec.send(POST_REFRESH, None, &refresh, &[200]).await);
    rec.send(POST_REFRESH, None, &refresh, &[401]).await;
    rec.send((Method::POST, "/logout"), token, &json!({}), &[204, 401])
        .await;
    rec.send(GET_PROFILE, Some(&second.access), &json!({}), &[401])
        .await;
    second
}

#[tokio::test]
async fn no_secret_reaches_a_response_or_a_log_line() {
    logs();
    let app = TestApp::spawn().await;
    let marker = Uuid::new_v4().simple().to_string();
    let secrets = Secrets::new(&marker);
    let mut rec = Recorder {
        app: &app,
        request_id: format!("leakcheck-{marker}"),
        responses: Vec::new(),
    };
    let first = accounts(&mut rec, &secrets).await;
    chats(&mut rec, &secrets, &first.access).await;
    let second = sessions(&mut rec, &secrets, &first).await;

    for response in &rec.responses {
        for secret in secrets.never_shown() {
            assert!(
                !response.contains(secret),
                "a response carries a secret: {response}"
            );
        }
    }
    // Background work (memories, logging after the response) gets a moment to finish.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let logs = logs();
    assert!(
        logs.contains(&rec.request_id),
        "the capture must hold this test's requests"
    );
    let tokens = [
        &first.access,
        &first.refresh,
        &second.access,
        &second.refresh,
    ];
    let signatures = tokens.into_iter().filter_map(|t| t.rsplit('.').next());
    for secret in secrets.never_shown().into_iter().chain(signatures) {
        if let Some(at) = logs.find(secret) {
            let line = logs[..at].rsplit('\n').next().unwrap_or_default();
            panic!("a log line carries a secret: {line}…");
        }
    }
}
