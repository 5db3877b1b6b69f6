//! Whole-app tests of calls to a webhook model through `/v1` and `POST /chat`: the
//! contract's payload, headers and signature, answer shapes and streams, and who may
//! use a restricted or inactive model.

use reqwest::Method;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

use super::support::{
    app, create, header, json_of, model_body, n8n_answering, received_json, signature_verifies,
};
use crate::chat::support::{code, parse_events};

#[tokio::test]
async fn a_webhook_model_answers_v1_and_post_chat_with_the_contract_payload() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!([{"output": "Olá do n8n"}])),
    )
    .await;
    n8n_answering(
        &n8n,
        "/webhook/completion",
        ResponseTemplate::new(200).set_body_raw("um texto", "text/plain"),
    )
    .await;
    let admin = app.admin("hook_admin").await;
    let (_, created) = create(&app, &admin, &model_body(&n8n, "support-bot")).await;
    let secret = created["signing_secret"].as_str().unwrap().to_owned();
    // A user without an OpenRouter key: custom models need none.
    let user = app.user("hook_user", None).await;

    let (_, models) = json_of(app.get("/v1/models", Some(&user)).await).await;
    let listed = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "support-bot");
    assert_eq!(
        listed.map(|m| m["owned_by"].clone()),
        Some(json!("polychat")),
        "{models}"
    );

    let body = json!({"model": "support-bot", "metadata": {"session_id": "sess-42"},
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Oi?"}]});
    let (status, completion) =
        json_of(app.post("/v1/chat/completions", Some(&user), &body).await).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(completion["choices"][0]["message"]["content"], "Olá do n8n");
    assert_eq!(completion["model"], "support-bot");
    assert!(
        completion["usage"]["total_tokens"].as_u64().unwrap() > 0,
        "counted when n8n says nothing"
    );

    let calls = n8n.received_requests().await.unwrap();
    let call = calls.last().unwrap();
    let payload = received_json(call);
    let (_, profile) = json_of(app.get("/user/profile", Some(&user)).await).await;
    assert_eq!(
        payload["messages"],
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Oi?"}])
    );
    assert_eq!(payload["sessionId"], "sess-42");
    assert_eq!(payload["webhook_type"], "chat");
    assert_eq!(payload["model"], "support-bot");
    assert_eq!(payload["userId"], profile["id"]);
    assert_eq!(payload["chatInput"], "Oi?");
    assert_eq!(payload["action"], "sendMessage");
    assert_eq!(payload["stream"], false);
    assert_eq!(header(call, "x-team-token"), "team-secret-value");
    assert!(uuid::Uuid::parse_str(header(call, "x-polychat-delivery")).is_ok());
    assert!(
        signature_verifies(call, &secret),
        "the signature verifies with the secret"
    );
    assert!(
        !signature_verifies(call, "whsec_wrong"),
        "and with no other secret"
    );

    // The legacy completions endpoint goes to the completions webhook with `prompt`.
    let body = json!({"model": "support-bot", "prompt": "Era uma vez"});
    let (status, text) = json_of(app.post("/v1/completions", Some(&user), &body).await).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text["choices"][0]["text"], "um texto");
    let calls = n8n.received_requests().await.unwrap();
    let payload = received_json(calls.last().unwrap());
    assert_eq!(
        (payload["webhook_type"].as_str(), payload["prompt"].as_str()),
        (Some("completion"), Some("Era uma vez"))
    );
    assert_eq!(payload["chatInput"], "Era uma vez");

    // POST /chat: the session id is the chat id.
    let (status, turn) = json_of(
        app.post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Olá", "model": "support-bot"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["message"]["content"], "Olá do n8n");
    assert_eq!(turn["message"]["model"], "support-bot");
    let calls = n8n.received_requests().await.unwrap();
    let payload = received_json(calls.last().unwrap());
    assert_eq!(payload["sessionId"], turn["chat_id"]);
    assert_eq!(payload["chatInput"], "Olá");
}

#[tokio::test]
async fn a_json_lines_stream_becomes_a_v1_stream_and_a_post_chat_stream() {
    let app = app().await;
    let n8n = MockServer::start().await;
    let lines = [
        json!({"type": "begin", "metadata": {"nodeId": "agent"}}),
        json!({"type": "item", "content": "Olá"}),
        json!({"type": "item", "content": ", mundo"}),
        json!({"type": "end"}),
    ]
    .iter()
    .fold(String::new(), |mut body, line| {
        body.push_str(&line.to_string());
        body.push('\n');
        body
    });
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_raw(lines, "application/json"),
    )
    .await;
    let admin = app.admin("stream_admin").await;
    create(&app, &admin, &model_body(&n8n, "streamer")).await;
    let user = app.user("stream_user", None).await;

    let body = json!({"model": "streamer", "stream": true, "messages": [{"role": "user", "content": "Oi"}]});
    let response = app.post("/v1/chat/completions", Some(&user), &body).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let deltas: String = text
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .filter_map(|chunk| {
            chunk["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(deltas, "Olá, mundo");
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
    let payload = received_json(n8n.received_requests().await.unwrap().last().unwrap());
    assert_eq!(payload["stream"], true);

    let response = app
        .post(
            "/chat",
            Some(&user),
            &json!({"prompt": "Oi", "model": "streamer", "stream": true}),
        )
        .await;
    let events = parse_events(&response.text().await.unwrap());
    let streamed: String = events
        .iter()
        .filter(|e| e.name == "delta")
        .filter_map(|e| e.data["content"].as_str())
        .collect();
    assert_eq!(streamed, "Olá, mundo");
    let done = events
        .iter()
        .find(|e| e.name == "done")
        .expect("done event");
    assert_eq!(done.data["message"]["model"], "streamer", "{:?}", done.data);
}

#[tokio::test]
async fn only_allowed_users_see_or_use_a_restricted_or_inactive_model() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!({"text": "ok"})),
    )
    .await;
    let admin = app.admin("perm_admin").await;
    let mut body = model_body(&n8n, "finance-bot");
    body["allowed_usernames"] = json!(["Allowed_One"]);
    let (_, created) = create(&app, &admin, &body).await;
    let allowed = app.user("allowed_one", None).await;
    let other = app.user("someone_else", None).await;
    let ask = json!({"model": "finance-bot", "messages": [{"role": "user", "content": "Saldo?"}]});

    let (status, _) = json_of(app.post("/v1/chat/completions", Some(&allowed), &ask).await).await;
    assert_eq!(status, 200);
    let (status, admin_answer) =
        json_of(app.post("/v1/chat/completions", Some(&admin), &ask).await).await;
    assert_eq!(status, 200, "admins use every model: {admin_answer}");
    let before = n8n.received_requests().await.unwrap().len();
    let (status, error) = json_of(app.post("/v1/chat/completions", Some(&other), &ask).await).await;
    assert_eq!((status, code(&error)), (404, "model_not_found"), "{error}");
    let (_, models) = json_of(app.get("/v1/models", Some(&other)).await).await;
    assert!(!models.to_string().contains("finance-bot"));
    let response = app.get("/v1/models/finance-bot", Some(&other)).await;
    assert_eq!(response.status(), 404);

    // Deactivated: nobody, and on another replica at once.
    let replica = app.spawn_replica().await;
    let id = created["id"].as_str().unwrap();
    let response = app
        .send(
            Method::DELETE,
            &format!("/admin/models/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = app
        .client
        .post(replica.url("/v1/chat/completions"))
        .bearer_auth(&allowed)
        .json(&ask)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "the replica sees the change");
    let (status, error) = json_of(
        app.post(
            "/chat",
            Some(&allowed),
            &json!({"prompt": "x", "model": "no-such-slug"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code(&error)), (404, "model_not_found"));
    assert_eq!(
        n8n.received_requests().await.unwrap().len(),
        before,
        "no call for any refusal"
    );
}
