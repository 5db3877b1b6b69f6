//! Helpers shared by the accounts tests: requests, token pairs, error bodies, the
//! app's own database, and an upstream playing OpenRouter.

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{KEY_CHECK, TestApp};

pub(crate) const PASSWORD: &str = "correct horse battery";
pub(crate) const COMPLETIONS: &str = "/api/v1/chat/completions";

/// A username no other test uses.
pub(crate) fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &Uuid::new_v4().simple().to_string()[..8])
}

/// A token pair from `/login` or `/token/refresh`.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) refresh: String,
}

impl Tokens {
    pub(crate) fn from_body(body: &Value) -> Self {
        Self {
            access: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }
}

pub(crate) async fn register(app: &TestApp, username: &str, key: Option<&str>) -> Value {
    let mut body = json!({"username": username, "password": PASSWORD});
    if let Some(key) = key {
        body["openrouter_api_key"] = json!(key);
    }
    let response = app.post("/register", None, &body).await;
    assert_eq!(response.status(), 201, "register {username}");
    response.json().await.expect("profile")
}

pub(crate) async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post(
        "/login",
        None,
        &json!({"username": username, "password": password}),
    )
    .await
}

pub(crate) async fn tokens(app: &TestApp, username: &str) -> Tokens {
    let response = login(app, username, PASSWORD).await;
    assert_eq!(response.status(), 200, "login {username}");
    Tokens::from_body(&response.json().await.expect("token body"))
}

pub(crate) async fn refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.post(
        "/token/refresh",
        None,
        &json!({"refresh_token": refresh_token}),
    )
    .await
}

pub(crate) async fn put_profile(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url("/user/profile"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
}

/// Status, error code and message of an error response, checking the error shape.
pub(crate) async fn error(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("error body is JSON");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned();
    let message = body["error"]["message"]
        .as_str()
        .expect("error.message")
        .to_owned();
    (status, code, message)
}

/// Mounts a successful completion for every call to the upstream.
pub(crate) async fn upstream_answers(upstream: &MockServer) {
    let completion = json!({
        "id": "gen-1", "object": "chat.completion", "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there."},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
    });
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion))
        .mount(upstream)
        .await;
}

/// The `Authorization` headers of the model calls the upstream received, oldest first
/// (key checks left out).
pub(crate) async fn upstream_authorizations(upstream: &MockServer) -> Vec<String> {
    upstream
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|request| request.url.path() != KEY_CHECK)
        .filter_map(|request| request.headers.get("authorization"))
        .map(|value| value.to_str().unwrap_or_default().to_owned())
        .collect()
}

pub(crate) async fn chat(app: &TestApp, token: &str, prompt: &str) -> reqwest::Response {
    app.post("/chat", Some(token), &json!({"prompt": prompt}))
        .await
}

/// A connection to the app's own (per-test) database.
pub(crate) async fn database(app: &TestApp) -> AsyncPgConnection {
    let url = app.config().postgres.url;
    AsyncPgConnection::establish(url.expose_secret())
        .await
        .expect("connect to the app's database")
}

#[derive(QueryableByName)]
struct Ciphertext {
    #[diesel(sql_type = Nullable<Text>)]
    openrouter_key_ciphertext: Option<String>,
}

/// The stored ciphertext of `username`'s key, straight from the `users` table.
pub(crate) async fn stored_ciphertext(app: &TestApp, username: &str) -> Option<String> {
    let mut conn = database(app).await;
    let rows: Vec<Ciphertext> = diesel::sql_query(
        "SELECT openrouter_key_ciphertext FROM users WHERE username_canonical = lower($1)",
    )
    .bind::<Text, _>(username)
    .load(&mut conn)
    .await
    .expect("select ciphertext");
    rows.into_iter()
        .next()
        .expect("user row")
        .openrouter_key_ciphertext
}
