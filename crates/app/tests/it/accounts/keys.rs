//! The OpenRouter key at rest in the real PostgreSQL: bound to its owner, sealed with
//! a fresh nonce each time, and still usable after the master key rotates.

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use polychat_app::wiring;
use serde_json::json;
use uuid::Uuid;

use super::support::{
    chat, database, put_profile, register, stored_ciphertext, tokens, unique, upstream_answers,
    upstream_authorizations,
};
use crate::harness::{TestApp, new_master_key};

/// The key id a stored ciphertext names (`v1:<key id>:<nonce>:<ciphertext>`).
fn key_id(ciphertext: &str) -> String {
    let parts: Vec<&str> = ciphertext.split(':').collect();
    assert_eq!(parts.len(), 4, "{ciphertext}");
    assert_eq!(parts[0], "v1");
    parts[1].to_owned()
}

#[tokio::test]
async fn a_ciphertext_copied_to_another_user_does_not_decrypt() {
    let app = TestApp::spawn().await;
    upstream_answers(&app.upstream).await;
    let (ana, bruno) = (unique("ana"), unique("bruno"));
    let ana_key = format!("sk-or-v1-ana-{}", Uuid::new_v4().simple());
    register(&app, &ana, Some(&ana_key)).await;
    register(&app, &bruno, Some("sk-or-v1-bruno-own-key-0002")).await;
    let bruno_token = tokens(&app, &bruno).await.access;

    let mut conn = database(&app).await;
    let copied = diesel::sql_query(
        "UPDATE users SET openrouter_key_ciphertext = \
           (SELECT openrouter_key_ciphertext FROM users WHERE username_canonical = lower($1)) \
         WHERE username_canonical = lower($2)",
    )
    .bind::<Text, _>(&ana)
    .bind::<Text, _>(&bruno)
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(copied, 1);

    let response = chat(&app, &bruno_token, "Hello?").await;
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(
        !status.is_success(),
        "bruno must not chat on ana's key: {body}"
    );
    assert!(!body.contains(&ana_key));
    assert!(
        upstream_authorizations(&app.upstream).await.is_empty(),
        "no call may leave with a key that does not open"
    );

    // The control: ana's own row still opens, and the upstream sees her key.
    let ana_token = tokens(&app, &ana).await.access;
    assert_eq!(chat(&app, &ana_token, "Hello?").await.status(), 200);
    assert_eq!(
        upstream_authorizations(&app.upstream).await,
        vec![format!("Bearer {ana_key}")]
    );
}

#[tokio::test]
async fn the_same_key_sealed_twice_gives_different_ciphertexts() {
    let app = TestApp::spawn().await;
    let key = "sk-or-v1-shared-between-two-7a7a";
    let (ana, bruno) = (unique("ana"), unique("bruno"));
    register(&app, &ana, Some(key)).await;
    register(&app, &bruno, Some(key)).await;
    let first = stored_ciphertext(&app, &ana)
        .await
        .expect("ana's ciphertext");
    let other_user = stored_ciphertext(&app, &bruno)
        .await
        .expect("bruno's ciphertext");
    assert_ne!(first, other_user);
    assert_eq!(key_id(&first), key_id(&other_user));
    for ciphertext in [&first, &other_user] {
        assert!(
            !ciphertext.contains(key) && !ciphertext.contains("7a7a"),
            "{ciphertext}"
        );
    }

    let token = tokens(&app, &ana).await.access;
    let resealed = put_profile(&app, &token, &json!({"openrouter_api_key": key})).await;
    assert_eq!(resealed.status(), 200);
    let second = stored_ciphertext(&app, &ana).await.unwrap();
    assert_ne!(first, second, "a fresh nonce for every encryption");
    // Same length: nonce and tag are fixed-size, so they differ only in randomness.
    assert_eq!(first.len(), second.len());
}

#[tokio::test]
async fn after_rotate_keys_every_key_opens_under_the_new_master_key_alone() {
    let app = TestApp::spawn().await;
    upstream_answers(&app.upstream).await;
    let mut users = Vec::new();
    for i in 0..3 {
        let (name, key) = (
            unique(&format!("rot{i}")),
            format!("sk-or-v1-rotate-{i}-{}", Uuid::new_v4().simple()),
        );
        register(&app, &name, Some(&key)).await;
        users.push((name, key));
    }
    register(&app, &unique("keyless"), None).await;
    let old_id = key_id(&stored_ciphertext(&app, &users[0].0).await.unwrap());
    let old_key = app.config().secrets.master_key;
    let old_key = secrecy::ExposeSecret::expose_secret(&old_key).to_owned();
    let new_key = new_master_key();

    let rotation = app.config_with(&[
        ("APP_MASTER_KEY", &new_key),
        ("APP_MASTER_KEY_PREVIOUS", &old_key),
    ]);
    wiring::rotate_keys(&rotation).await.expect("rotate keys");

    let mut new_ids = Vec::new();
    for (name, key) in &users {
        let ciphertext = stored_ciphertext(&app, name).await.unwrap();
        assert!(!ciphertext.contains(key.as_str()));
        new_ids.push(key_id(&ciphertext));
    }
    assert!(
        new_ids.iter().all(|id| *id != old_id && *id == new_ids[0]),
        "{new_ids:?}"
    );

    // An instance that knows only the new master key opens every key.
    let address = TestApp::serve(&app.config_with(&[("APP_MASTER_KEY", &new_key)])).await;
    for (name, key) in &users {
        let token = tokens(&app, name).await.access;
        let response = app
            .client
            .post(format!("{address}/chat"))
            .bearer_auth(&token)
            .json(&json!({"prompt": "Still there?"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let seen = upstream_authorizations(&app.upstream).await;
        assert_eq!(seen.last(), Some(&format!("Bearer {key}")));
    }
    // Rotating again finds nothing left to do and still succeeds.
    wiring::rotate_keys(&rotation)
        .await
        .expect("second rotation");
}

#[tokio::test]
async fn rotate_keys_fails_loudly_on_a_key_it_cannot_open() {
    let app = TestApp::spawn().await;
    let name = unique("lost");
    register(&app, &name, Some("sk-or-v1-will-be-lost-0001")).await;
    let before = stored_ciphertext(&app, &name).await;
    // Rotating without the master key that sealed it.
    let stranger = app.config_with(&[("APP_MASTER_KEY", &new_master_key())]);
    assert!(wiring::rotate_keys(&stranger).await.is_err());
    let after = stored_ciphertext(&app, &name).await;
    assert!(after.is_some());
    assert_eq!(after, before, "an unopenable key is left as it was");
}
