//! The request a webhook receives: method, body field by field, and every header (the
//! signature verifies with the secret over the raw body, the delivery id is a fresh
//! UUID v4, the model's headers arrive).

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use polychat_domain::Role;
use polychat_domain::ports::{LlmMessage, WebhookCaller, WebhookKind};
use serde_json::json;
use sha2::Sha256;

use crate::support::{Fake, Recorded, Reply, SECRET, chat_call, client, endpoint, user_id};

async fn answered_call(call: &polychat_domain::ports::WebhookCall) -> Recorded {
    let fake = Fake::start(Reply::json(&json!({"output": "ok"}))).await;
    let completion = client()
        .complete(&endpoint(&fake.url()), call)
        .await
        .unwrap();
    assert_eq!(completion.content, "ok");
    let mut requests = fake.requests();
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

/// Checks `t=<secs>,v1=<hex>` against the raw body, and returns `t`.
fn verify_signature(request: &Recorded) -> u64 {
    let header = request.header("x-polychat-signature").expect("a signature");
    let (t, v1) = header.split_once(',').expect("t=..,v1=..");
    let t = t.strip_prefix("t=").expect("t=");
    let v1 = v1.strip_prefix("v1=").expect("v1=");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&request.body);
    mac.verify_slice(&hex::decode(v1).expect("hex"))
        .expect("the signature verifies with the secret over the raw body");

    let mut wrong = <Hmac<Sha256> as Mac>::new_from_slice(b"another secret").unwrap();
    wrong.update(format!("{t}.").as_bytes());
    wrong.update(&request.body);
    assert!(wrong.verify_slice(&hex::decode(v1).unwrap()).is_err());
    t.parse().expect("unix seconds")
}

#[tokio::test]
async fn a_chat_call_posts_the_contract_payload() {
    let request = answered_call(&chat_call(false)).await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/webhook/model-1");
    assert_eq!(
        request.json(),
        json!({
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hello, world!"}
            ],
            "sessionId": "chat-123",
            "webhook_type": "chat",
            "model": "support-bot",
            "userId": user_id().to_string(),
            "chatInput": "Hello, world!",
            "action": "sendMessage",
            "stream": false
        })
    );
}

#[tokio::test]
async fn every_header_is_sent_and_the_signature_verifies() {
    let request = answered_call(&chat_call(false)).await;
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-api-key"), Some("n8n-key-42"));
    assert_eq!(request.header("x-tenant"), Some("acme"));

    let delivery = request
        .header("x-polychat-delivery")
        .expect("a delivery id");
    let delivery = uuid::Uuid::parse_str(delivery).expect("a UUID");
    assert_eq!(delivery.get_version_num(), 4);

    let t = verify_signature(&request);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        t.abs_diff(now) <= 60,
        "t is the current time, got {t} at {now}"
    );
}

#[tokio::test]
async fn each_delivery_has_a_fresh_id() {
    let fake = Fake::start(Reply::json(&json!({"output": "ok"}))).await;
    let client = client();
    for _ in 0..2 {
        client
            .complete(&endpoint(&fake.url()), &chat_call(false))
            .await
            .unwrap();
    }
    let ids: Vec<String> = fake
        .requests()
        .iter()
        .map(|request| request.header("x-polychat-delivery").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn a_model_header_cannot_override_ours() {
    let fake = Fake::start(Reply::json(&json!({"output": "ok"}))).await;
    let mut endpoint = endpoint(&fake.url());
    endpoint.headers.push((
        "X-Polychat-Signature".to_owned(),
        secrecy::SecretString::from("t=1,v1=forged"),
    ));
    endpoint.headers.push((
        "Content-Type".to_owned(),
        secrecy::SecretString::from("text/plain"),
    ));
    client()
        .complete(&endpoint, &chat_call(false))
        .await
        .unwrap();
    let request = fake.requests().remove(0);
    assert_eq!(request.header("content-type"), Some("application/json"));
    verify_signature(&request);
    let signatures = request
        .headers
        .iter()
        .filter(|(name, _)| name == "x-polychat-signature")
        .count();
    assert_eq!(signatures, 1);
}

#[tokio::test]
async fn a_completion_call_sends_its_prompt_and_type() {
    let mut call = chat_call(true);
    call.kind = WebhookKind::Completion;
    call.prompt = Some("Once upon a time".to_owned());
    call.chat_input = "Once upon a time".to_owned();
    call.messages = vec![
        LlmMessage::text(Role::User, "Once upon a time"),
        LlmMessage::text(Role::Assistant, "there was"),
        LlmMessage::text(Role::Tool, "{}"),
    ];
    let request = answered_call(&call).await;
    let body = request.json();
    assert_eq!(body["webhook_type"], "completion");
    assert_eq!(body["prompt"], "Once upon a time");
    assert_eq!(body["chatInput"], "Once upon a time");
    assert_eq!(body["stream"], true);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Once upon a time"},
            {"role": "assistant", "content": "there was"},
            {"role": "tool", "content": "{}"}
        ])
    );
    verify_signature(&request);
}
