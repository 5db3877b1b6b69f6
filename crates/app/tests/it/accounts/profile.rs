//! `GET` and `PUT /user/profile`: partial updates, `null` clearing, the key hint,
//! password changes guarded by the current password, and fields nobody may set.

use serde_json::{Value, json};

use super::support::{PASSWORD, error, login, put_profile, register, tokens, unique};
use crate::harness::TestApp;

#[tokio::test]
async fn the_profile_needs_a_token() {
    let app = TestApp::spawn().await;
    let (status, code, _) = error(app.get("/user/profile", None).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    let (status, ..) = error(put_profile(&app, "garbage", &json!({})).await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn updates_change_only_what_they_name_and_null_clears() {
    let app = TestApp::spawn().await;
    let username = unique("ana");
    let registered = register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;

    let response = put_profile(
        &app,
        &token,
        &json!({"display_name": "Ana Souza", "default_model": "anthropic/claude-3.5-sonnet",
                "openrouter_api_key": "sk-or-v1-profile-key-9f3e"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains("sk-or-v1-profile-key-9f3e"), "{text}");
    let updated: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(updated["display_name"], json!("Ana Souza"));
    assert_eq!(
        updated["default_model"],
        json!("anthropic/claude-3.5-sonnet")
    );
    assert_eq!(updated["has_openrouter_key"], json!(true));
    assert_eq!(updated["openrouter_key_hint"], json!("…9f3e"));
    assert_eq!(updated["id"], registered["id"]);
    assert_eq!(updated["created_at"], registered["created_at"]);
    assert_ne!(updated["updated_at"], registered["updated_at"]);

    // An empty update changes nothing; what GET shows is what PUT answered.
    let unchanged: Value = put_profile(&app, &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged, updated);
    let read: Value = app
        .get("/user/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, updated);

    let cleared: Value = put_profile(
        &app,
        &token,
        &json!({"openrouter_api_key": null, "display_name": null}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(cleared["has_openrouter_key"], json!(false));
    assert_eq!(cleared["openrouter_key_hint"], Value::Null);
    assert_eq!(cleared["display_name"], Value::Null);
    assert_eq!(
        cleared["default_model"],
        json!("anthropic/claude-3.5-sonnet")
    );
    assert_eq!(
        super::support::stored_ciphertext(&app, &username).await,
        None
    );
}

#[tokio::test]
async fn invalid_updates_name_the_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let username = unique("bruno");
    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    let before: Value = app
        .get("/user/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    for (body, field) in [
        (
            json!({"display_name": "ok", "default_model": "not a model!"}),
            "default_model",
        ),
        (json!({"display_name": "   "}), "display_name"),
        (json!({"openrouter_api_key": ""}), "openrouter_api_key"),
        (
            json!({"new_password": "short", "current_password": PASSWORD}),
            "new_password",
        ),
        (
            json!({"new_password": "x".repeat(73), "current_password": PASSWORD}),
            "new_password",
        ),
    ] {
        let (status, code, message) = error(put_profile(&app, &token, &body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{body}"
        );
        assert!(
            message.contains(field),
            "{body}: {message:?} must name {field}"
        );
    }
    let after: Value = app
        .get("/user/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let username = unique("carla");
    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    let new = "a brand new passphrase";

    let (status, code, message) =
        error(put_profile(&app, &token, &json!({"new_password": new})).await).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert!(message.contains("current_password"), "{message}");
    let (status, _, message) = error(
        put_profile(
            &app,
            &token,
            &json!({"new_password": new, "current_password": "not the password"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(message.contains("current_password"), "{message}");
    assert_eq!(login(&app, &username, PASSWORD).await.status(), 200);
    assert_eq!(login(&app, &username, new).await.status(), 401);

    let changed = put_profile(
        &app,
        &token,
        &json!({"new_password": new, "current_password": PASSWORD}),
    )
    .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(login(&app, &username, new).await.status(), 200);
    assert_eq!(login(&app, &username, PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn mass_assignment_of_id_role_and_username_is_ignored() {
    let app = TestApp::spawn().await;
    let username = unique("dora");
    let registered = register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    let response = put_profile(
        &app,
        &token,
        &json!({"id": uuid::Uuid::new_v4(), "role": "admin", "username": "root",
                "has_openrouter_key": true, "openrouter_key_hint": "…0000",
                "created_at": "2000-01-01T00:00:00Z", "password_hash": "x",
                "display_name": "Dora"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["id"], registered["id"]);
    assert_eq!(profile["username"], json!(username));
    assert_eq!(profile["created_at"], registered["created_at"]);
    assert_eq!(profile["has_openrouter_key"], json!(false));
    assert_eq!(profile["openrouter_key_hint"], Value::Null);
    assert_eq!(profile["role"], json!("user"), "no route changes a role");
    assert_eq!(profile["display_name"], json!("Dora"));
    // The password was not touched either.
    assert_eq!(login(&app, &username, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_short_key_shows_at_most_a_quarter_of_itself() {
    let app = TestApp::spawn().await;
    let username = unique("short");
    register(&app, &username, None).await;
    let token = tokens(&app, &username).await.access;
    let profile: Value = put_profile(&app, &token, &json!({"openrouter_api_key": "k3y-wxyz"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["has_openrouter_key"], json!(true));
    assert_eq!(profile["openrouter_key_hint"], json!("…yz"));
}
