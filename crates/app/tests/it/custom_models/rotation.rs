//! Whole-app test of a master-key rotation over the registry: every sealed value of a
//! custom model (signing secret, header values, those of older versions) opens under
//! the new master key alone afterwards.

use polychat_app::wiring;
use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use super::support::{app, create, header, json_of, model_body, n8n_answering, signature_verifies};
use crate::harness::{TestApp, new_master_key};

#[tokio::test]
async fn rotate_keys_reseals_every_custom_model_secret_and_version() {
    let app = app().await;
    let n8n = MockServer::start().await;
    n8n_answering(
        &n8n,
        "/webhook/chat",
        ResponseTemplate::new(200).set_body_json(json!({"output": "sealed and well"})),
    )
    .await;
    let admin = app.admin("rotation_admin").await;
    let (status, created) = create(&app, &admin, &model_body(&n8n, "rotated-bot")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["signing_secret"].as_str().unwrap().to_owned();
    // Version 2 has other header values; version 1 keeps the first ones.
    let change = json!({"webhook_headers": {"X-Team-Token": "second-value"}});
    let response = app
        .send(
            Method::PUT,
            &format!("/admin/models/{id}"),
            Some(&admin),
            Some(&change),
        )
        .await;
    assert_eq!(response.status(), 200);

    let old_key = app.config().secrets.master_key.expose_secret().to_owned();
    let new_key = new_master_key();
    let rotation = app.config_with(&[
        ("APP_MASTER_KEY", new_key.as_str()),
        ("APP_MASTER_KEY_PREVIOUS", old_key.as_str()),
    ]);
    wiring::rotate_keys(&rotation).await.expect("rotate keys");

    // An instance that holds only the new master key opens all of it.
    let only_new = TestApp::serve(&app.config_with(&[("APP_MASTER_KEY", new_key.as_str())])).await;
    let ask = || async {
        let response = app
            .client
            .post(format!("{only_new}/v1/chat/completions"))
            .bearer_auth(&admin)
            .json(&json!({"model": "rotated-bot", "messages": [{"role": "user", "content": "Oi"}]}))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(response).await;
        assert_eq!(status, 200, "{body}");
        let calls = n8n.received_requests().await.unwrap();
        let call = calls.last().unwrap().clone();
        assert!(
            signature_verifies(&call, &secret),
            "signed with the same secret"
        );
        header(&call, "x-team-token").to_owned()
    };
    assert_eq!(ask().await, "second-value");
    let restore = app
        .client
        .post(format!("{only_new}/admin/models/{id}/versions/1/restore"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(restore.status(), 200);
    assert_eq!(
        ask().await,
        "team-secret-value",
        "version 1's value, re-sealed"
    );

    // Nothing is left for a second rotation, which still succeeds.
    wiring::rotate_keys(&rotation)
        .await
        .expect("second rotation");
}
