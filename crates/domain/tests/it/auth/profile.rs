//! Registration and profile rules.

use polychat_domain::services::auth::{AuthError, ProfileChanges};
use secrecy::SecretString;

use super::{ADDRESS, PASSWORD, World, registration};

fn field_of(result: Result<impl std::fmt::Debug, AuthError>) -> &'static str {
    match result {
        Err(AuthError::Validation(error)) => error.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text)
}

#[tokio::test]
async fn a_taken_username_is_refused_whatever_its_case() {
    let world = World::new();
    world.register("Ana", None).await;
    let again = world
        .auth
        .register(registration("aNA", PASSWORD, None))
        .await;
    assert!(matches!(again, Err(AuthError::UsernameTaken)), "{again:?}");
}

#[tokio::test]
async fn registration_validates_each_field() {
    let world = World::new();
    let register = |name: &str, password: &str, key: Option<&str>| {
        world.auth.register(registration(name, password, key))
    };
    assert_eq!(field_of(register("ab", PASSWORD, None).await), "username");
    assert_eq!(
        field_of(register("ana souza", PASSWORD, None).await),
        "username"
    );
    assert_eq!(field_of(register("ana", "short", None).await), "password");
    // 73 bytes is refused, not silently truncated to bcrypt's 72.
    let too_long = "é".repeat(36) + "x";
    assert_eq!(too_long.len(), 73);
    assert_eq!(field_of(register("ana", &too_long, None).await), "password");
    assert_eq!(
        field_of(register("ana", PASSWORD, Some("has space")).await),
        "openrouter_api_key"
    );
    // 72 bytes is fine, and logs in with exactly those bytes.
    let longest = "é".repeat(36);
    register("ana", &longest, None).await.unwrap();
    world.auth.login("ana", &longest, ADDRESS).await.unwrap();
}

#[tokio::test]
async fn the_key_is_stored_sealed_with_a_hint_of_its_last_four_characters() {
    let world = World::new();
    let user = world.register("ana", Some("sk-or-v1-secretabcd")).await;
    let stored = world.stored(&user).await.openrouter_key.unwrap();
    assert_eq!(stored.hint, "…abcd");
    assert!(!stored.ciphertext.contains("sk-or-v1-secretabcd"));
}

#[tokio::test]
async fn profile_changes_set_and_clear_fields() {
    let world = World::new();
    let user = world.register("ana", None).await;
    let changed = world
        .auth
        .update_profile(
            user.id,
            ProfileChanges {
                display_name: Some(Some("  Ana Souza ".into())),
                default_model: Some(Some("anthropic/claude-3.5-sonnet".into())),
                openrouter_api_key: Some(Some(secret("sk-or-v1-newkey9876"))),
                ..ProfileChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.user.display_name.unwrap().as_str(), "Ana Souza");
    assert_eq!(
        changed.user.default_model.unwrap().as_str(),
        "anthropic/claude-3.5-sonnet"
    );
    assert_eq!(changed.user.openrouter_key.unwrap().hint, "…9876");

    // Absent fields stay; `Some(None)` clears.
    let cleared = world
        .auth
        .update_profile(
            user.id,
            ProfileChanges {
                display_name: Some(None),
                openrouter_api_key: Some(None),
                ..ProfileChanges::default()
            },
        )
        .await
        .unwrap();
    assert!(cleared.user.display_name.is_none());
    assert!(cleared.user.openrouter_key.is_none());
    assert!(cleared.user.default_model.is_some());
    assert!(
        world
            .auth
            .model_access(user.id)
            .await
            .unwrap()
            .api_key
            .is_none()
    );
}

#[tokio::test]
async fn invalid_profile_values_name_their_field_and_change_nothing() {
    let world = World::new();
    let user = world.register("ana", None).await;
    let change = |changes| world.auth.update_profile(user.id, changes);
    let bad_model = ProfileChanges {
        display_name: Some(Some("Kept Out".into())),
        default_model: Some(Some("not a model!".into())),
        ..ProfileChanges::default()
    };
    assert_eq!(field_of(change(bad_model).await), "default_model");
    let bad_name = ProfileChanges {
        display_name: Some(Some(" ".into())),
        ..ProfileChanges::default()
    };
    assert_eq!(field_of(change(bad_name).await), "display_name");
    assert!(world.stored(&user).await.display_name.is_none());
}

#[tokio::test]
async fn a_password_change_needs_the_right_current_password() {
    let world = World::new();
    let user = world.register("ana", None).await;
    let change = |current: Option<&str>, new: &str| ProfileChanges {
        current_password: current.map(SecretString::from),
        new_password: Some(secret(new)),
        ..ProfileChanges::default()
    };
    let new = "a brand new passphrase";
    let missing = world.auth.update_profile(user.id, change(None, new)).await;
    assert_eq!(field_of(missing), "current_password");
    let wrong = world
        .auth
        .update_profile(user.id, change(Some("not the password"), new))
        .await;
    assert_eq!(field_of(wrong), "current_password");
    let too_long = world
        .auth
        .update_profile(user.id, change(Some(PASSWORD), &"x".repeat(73)))
        .await;
    assert_eq!(field_of(too_long), "new_password");
    // Nothing changed so far.
    world.login("ana").await;

    world
        .auth
        .update_profile(user.id, change(Some(PASSWORD), new))
        .await
        .unwrap();
    world.auth.login("ana", new, ADDRESS).await.unwrap();
    assert!(matches!(
        world.auth.login("ana", PASSWORD, ADDRESS).await,
        Err(AuthError::InvalidCredentials)
    ));
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled() {
    let world = World::new();
    let user = world.register("ana", None).await;
    let guess = |current: &str| ProfileChanges {
        current_password: Some(secret(current)),
        new_password: Some(secret("a brand new passphrase")),
        ..ProfileChanges::default()
    };
    let mut throttled = false;
    for attempt in 0..10 {
        let result = world
            .auth
            .update_profile(user.id, guess(&format!("guess number {attempt}")))
            .await;
        match result {
            Err(AuthError::Validation(_)) => {}
            Err(AuthError::TooManyAttempts { .. }) => {
                throttled = true;
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(throttled, "ten wrong current passwords must be throttled");
    let right = world.auth.update_profile(user.id, guess(PASSWORD)).await;
    assert!(matches!(right, Err(AuthError::TooManyAttempts { .. })));
}

#[tokio::test]
async fn a_key_openrouter_refuses_is_not_stored_and_one_it_cannot_judge_is_stored_with_a_notice() {
    let world = World::new();
    world.key_check.refuse("sk-or-unknown");
    let refused = world
        .auth
        .register(registration("ana", PASSWORD, Some("sk-or-unknown")))
        .await;
    assert!(
        matches!(refused, Err(AuthError::KeyRejected)),
        "{refused:?}"
    );
    let user = world.register("bia", None).await;
    let change = |key: &str| ProfileChanges {
        openrouter_api_key: Some(Some(secret(key))),
        ..ProfileChanges::default()
    };
    let refused = world
        .auth
        .update_profile(user.id, change("sk-or-unknown"))
        .await;
    assert!(
        matches!(refused, Err(AuthError::KeyRejected)),
        "{refused:?}"
    );
    assert!(
        world
            .auth
            .profile(user.id)
            .await
            .unwrap()
            .openrouter_key
            .is_none()
    );

    let known = world
        .auth
        .update_profile(user.id, change("sk-or-known-1"))
        .await
        .unwrap();
    assert_eq!(known.key_unchecked, None);
    world.key_check.set_unreachable(true);
    let unchecked = world
        .auth
        .update_profile(user.id, change("sk-or-known-second-key"))
        .await
        .unwrap();
    assert!(unchecked.key_unchecked.is_some());
    assert_eq!(unchecked.user.openrouter_key.unwrap().hint, "…-key");
    // Nothing else to check: clearing the key or changing the name asks nobody.
    let cleared = world
        .auth
        .update_profile(
            user.id,
            ProfileChanges {
                openrouter_api_key: Some(None),
                ..ProfileChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cleared.key_unchecked, None);
}
