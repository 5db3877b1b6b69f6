//! A changed or lost `APP_MASTER_KEY` is said, not a bare 500: the service refuses to
//! start when no configured key opens the check value stored beside the secrets, and a
//! stored OpenRouter key that cannot be opened answers 409 `openrouter_key_unreadable`
//! until the user enters it again.

use std::process::Command;

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use super::support::{chat, database, put_profile, register, tokens, unique, upstream_answers};
use crate::harness::{TestApp, new_master_key};

#[tokio::test]
async fn the_service_refuses_to_start_with_a_master_key_that_did_not_seal_the_secrets() {
    let app = TestApp::spawn().await;
    let stranger = new_master_key();
    let mut command = Command::new(env!("CARGO_BIN_EXE_polychat"));
    command.arg("serve").env_clear();
    for (name, value) in &app.settings {
        command.env(name, value);
    }
    command
        .env("APP_MASTER_KEY", &stranger)
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    let out = command.output().expect("run polychat");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no configured master key opens the stored secrets"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&stranger),
        "the key itself is never printed"
    );
}

#[tokio::test]
async fn a_stored_key_that_cannot_be_opened_is_409_until_entered_again() {
    let app = TestApp::spawn().await;
    upstream_answers(&app.upstream).await;
    let name = unique("ana");
    register(&app, &name, Some("sk-or-v1-sealed-long-ago-000000001")).await;
    let token = tokens(&app, &name).await.access;
    // The ciphertext's last character changed: no key opens it any more.
    let mut conn = database(&app).await;
    let spoiled = diesel::sql_query(
        "UPDATE users SET openrouter_key_ciphertext = \
           left(openrouter_key_ciphertext, -1) || \
           CASE WHEN right(openrouter_key_ciphertext, 1) = 'A' THEN 'B' ELSE 'A' END \
         WHERE username_canonical = lower($1)",
    )
    .bind::<Text, _>(&name)
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(spoiled, 1);
    // The profile was remembered with the old row: a profile change renews it.
    put_profile(&app, &token, &json!({"display_name": "Ana"})).await;

    let response = chat(&app, &token, "Olá?").await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "openrouter_key_unreadable");
    assert_eq!(body["error"]["param"], "openrouter_api_key");

    let again = put_profile(
        &app,
        &token,
        &json!({"openrouter_api_key": "sk-or-v1-entered-again-0000000002"}),
    )
    .await;
    assert_eq!(again.status(), 200);
    assert_eq!(chat(&app, &token, "Olá?").await.status(), 200);
}
