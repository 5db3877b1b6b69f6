//! `POST /register`: the profile it answers with, case-insensitive uniqueness (also
//! under a race), validation naming the field, and fields a client may not set.

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::support::{PASSWORD, error, register, unique};
use crate::harness::TestApp;

#[tokio::test]
async fn registering_answers_201_with_the_profile_and_no_secret() {
    let app = TestApp::spawn().await;
    let username = unique("Ana.Souza");
    let key = "sk-or-v1-registered-key-abcd";
    let response = app
        .post(
            "/register",
            None,
            &json!({"username": username, "password": PASSWORD,
                    "openrouter_api_key": key, "display_name": "Ana Souza"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let text = response.text().await.unwrap();
    assert!(!text.contains(key) && !text.contains(PASSWORD), "{text}");
    let profile: Value = serde_json::from_str(&text).unwrap();
    assert!(uuid::Uuid::parse_str(profile["id"].as_str().unwrap()).is_ok());
    assert_eq!(profile["username"], json!(username));
    assert_eq!(profile["display_name"], json!("Ana Souza"));
    assert_eq!(profile["default_model"], Value::Null);
    assert_eq!(profile["has_openrouter_key"], json!(true));
    assert_eq!(profile["openrouter_key_hint"], json!("…abcd"));
    assert!(profile["created_at"].as_str().is_some());
    assert!(profile["updated_at"].as_str().is_some());
    for secret_field in [
        "password",
        "password_hash",
        "openrouter_api_key",
        "ciphertext",
    ] {
        assert!(profile.get(secret_field).is_none(), "{secret_field} leaked");
    }

    // The profile the user reads back is the one registration answered with.
    let token = super::support::tokens(&app, &username).await.access;
    let read: Value = app
        .get("/user/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, profile);
}

#[tokio::test]
async fn without_a_key_the_profile_says_so() {
    let app = TestApp::spawn().await;
    let profile = register(&app, &unique("nokey"), None).await;
    assert_eq!(profile["has_openrouter_key"], json!(false));
    assert_eq!(profile["openrouter_key_hint"], Value::Null);
    assert_eq!(profile["display_name"], Value::Null);
}

#[tokio::test]
async fn a_username_is_taken_whatever_its_case() {
    let app = TestApp::spawn().await;
    let username = unique("Bruno");
    register(&app, &username, None).await;
    let again = app
        .post(
            "/register",
            None,
            &json!({"username": username.to_uppercase(), "password": "another password"}),
        )
        .await;
    let (status, code, _) = error(again).await;
    assert_eq!((status, code.as_str()), (409, "username_taken"));
}

#[tokio::test]
async fn invalid_registrations_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let name = unique("carla");
    let cases = [
        (json!({"username": "ab", "password": PASSWORD}), "username"),
        (
            json!({"username": "x".repeat(33), "password": PASSWORD}),
            "username",
        ),
        (
            json!({"username": "carla souza", "password": PASSWORD}),
            "username",
        ),
        (
            json!({"username": "carla@example", "password": PASSWORD}),
            "username",
        ),
        (json!({"username": name, "password": "1234567"}), "password"),
        // 73 bytes (36 two-byte characters and one more): refused, never truncated.
        (
            json!({"username": name, "password": "é".repeat(36) + "x"}),
            "password",
        ),
        (
            json!({"username": name, "password": PASSWORD, "display_name": ""}),
            "display_name",
        ),
        (
            json!({"username": name, "password": PASSWORD, "openrouter_api_key": "with space"}),
            "openrouter_api_key",
        ),
    ];
    for (body, field) in cases {
        let (status, code, message) = error(app.post("/register", None, &body).await).await;
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
    // None of them created the user.
    register(&app, &name, None).await;
}

#[tokio::test]
async fn a_72_byte_password_works_and_a_73_byte_one_is_not_truncated_into_it() {
    let app = TestApp::spawn().await;
    let username = unique("dora");
    let longest = "é".repeat(36);
    assert_eq!(longest.len(), 72);
    let created = app
        .post(
            "/register",
            None,
            &json!({"username": username, "password": longest}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let ok = super::support::login(&app, &username, &longest).await;
    assert_eq!(ok.status(), 200);
    let longer = longest.clone() + "x";
    let (status, code, message) =
        error(super::support::login(&app, &username, &longer).await).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert!(message.contains("password"), "{message}");
}

#[tokio::test]
async fn fields_a_client_may_not_choose_are_ignored() {
    let app = TestApp::spawn().await;
    let username = unique("eve");
    let chosen_id = uuid::Uuid::new_v4().to_string();
    let response = app
        .post(
            "/register",
            None,
            &json!({"username": username, "password": PASSWORD, "id": chosen_id,
                    "role": "admin", "has_openrouter_key": true, "default_model": "x/y"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let profile: Value = response.json().await.unwrap();
    assert_ne!(profile["id"], json!(chosen_id));
    assert_eq!(
        profile["role"],
        json!("user"),
        "a new user is a user, whatever it asks"
    );
    assert_eq!(profile["has_openrouter_key"], json!(false));
    assert_eq!(profile["default_model"], Value::Null);
}

#[tokio::test]
async fn fifty_racing_registrations_of_one_name_make_one_account() {
    let app = TestApp::spawn().await;
    let username = unique("race");
    let attempts = (0..50).map(|i| {
        // Different spellings of the same name race each other too.
        let spelled = if i % 2 == 0 {
            username.clone()
        } else {
            username.to_uppercase()
        };
        let body = json!({"username": spelled, "password": PASSWORD});
        let app = &app;
        async move { app.post("/register", None, &body).await.status().as_u16() }
    });
    let statuses = join_all(attempts).await;
    let created = statuses.iter().filter(|&&s| s == 201).count();
    let taken = statuses.iter().filter(|&&s| s == 409).count();
    assert_eq!((created, taken), (1, 49), "{statuses:?}");
}
