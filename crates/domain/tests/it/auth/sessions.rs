//! Login, throttling, refresh rotation with replay detection, logout.

use chrono::TimeDelta;
use polychat_domain::services::auth::{AuthError, ProfileChanges};
use secrecy::SecretString;

use super::{ADDRESS, PASSWORD, World, access, refresh};

#[tokio::test]
async fn login_issues_a_pair_that_authenticates_the_user() {
    let world = World::new();
    let user = world.register("Ana.Souza", None).await;
    // Usernames are case-insensitive at login too.
    let pair = world.login("ana.souza").await;
    assert_eq!(pair.expires_in, 15 * 60);
    let claims = world.auth.authenticate(access(&pair)).await.unwrap();
    assert_eq!(claims.user_id, user.id);
    assert_eq!(claims.family, pair.refresh.family);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_fail_alike() {
    let world = World::new();
    world.register("ana", None).await;
    let wrong = world.auth.login("ana", "not the password", ADDRESS).await;
    let unknown = world.auth.login("nobody", PASSWORD, ADDRESS).await;
    assert!(matches!(wrong, Err(AuthError::InvalidCredentials)));
    assert!(matches!(unknown, Err(AuthError::InvalidCredentials)));
}

#[tokio::test]
async fn failed_logins_for_one_username_are_throttled_until_time_passes() {
    let world = World::new();
    world.register("ana", None).await;
    for attempt in 0..5 {
        let result = world.auth.login("ANA", "wrong password", ADDRESS).await;
        assert!(
            matches!(result, Err(AuthError::InvalidCredentials)),
            "attempt {attempt}: {result:?}"
        );
    }
    // Even the right password is refused while throttled, from another address too.
    let Err(AuthError::TooManyAttempts { retry_after }) =
        world.auth.login("ana", PASSWORD, "198.51.100.1").await
    else {
        panic!("the sixth attempt must be throttled");
    };
    assert!(retry_after.as_secs() > 0 && retry_after.as_secs() <= 5 * 60);
    // Another username is not affected.
    world.register("bruno", None).await;
    world.login("bruno").await;

    world
        .clock
        .advance(TimeDelta::from_std(retry_after).unwrap());
    world.login("ana").await;
}

#[tokio::test]
async fn failed_logins_from_one_address_are_throttled_across_usernames() {
    let world = World::new();
    world.register("ana", None).await;
    for attempt in 0..20 {
        let username = format!("user{}", attempt % 5);
        let result = world.auth.login(&username, "wrong password", ADDRESS).await;
        assert!(
            matches!(result, Err(AuthError::InvalidCredentials)),
            "{result:?}"
        );
    }
    let throttled = world.auth.login("ana", PASSWORD, ADDRESS).await;
    assert!(
        matches!(throttled, Err(AuthError::TooManyAttempts { .. })),
        "{throttled:?}"
    );
    // The same user from another address still gets in.
    world
        .auth
        .login("ana", PASSWORD, "198.51.100.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn successful_logins_are_not_throttled() {
    let world = World::new();
    world.register("ana", None).await;
    for _ in 0..30 {
        world.login("ana").await;
    }
}

#[tokio::test]
async fn a_throttle_outage_does_not_lock_everyone_out() {
    let world = World::new();
    world.register("ana", None).await;
    world.limiter.set_unavailable(true);
    world.login("ana").await;
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_revokes_the_whole_chain() {
    let world = World::new();
    world.register("ana", None).await;
    let first = world.login("ana").await;
    let second = world.auth.refresh(refresh(&first)).await.unwrap();
    assert_ne!(refresh(&first), refresh(&second));
    assert_eq!(second.refresh.family, first.refresh.family);
    world.auth.authenticate(access(&second)).await.unwrap();

    // The old refresh token again: refused, and the chain dies with it.
    let replay = world.auth.refresh(refresh(&first)).await;
    assert!(
        matches!(replay, Err(AuthError::Unauthorized(_))),
        "{replay:?}"
    );
    let newest = world.auth.refresh(refresh(&second)).await;
    assert!(
        matches!(newest, Err(AuthError::Unauthorized(_))),
        "{newest:?}"
    );
    let access_after = world.auth.authenticate(access(&second)).await;
    assert!(matches!(access_after, Err(AuthError::Unauthorized(_))));

    // Another session of the same user is untouched.
    let other = world.login("ana").await;
    world.auth.refresh(refresh(&other)).await.unwrap();
}

#[tokio::test]
async fn one_kind_of_token_never_stands_for_the_other() {
    let world = World::new();
    world.register("ana", None).await;
    let pair = world.login("ana").await;
    assert!(matches!(
        world.auth.refresh(access(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
    assert!(matches!(
        world.auth.authenticate(refresh(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let world = World::new();
    world.register("ana", None).await;
    let pair = world.login("ana").await;
    world.clock.advance(TimeDelta::minutes(16));
    assert!(matches!(
        world.auth.authenticate(access(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
    // The refresh token (7 days) still works.
    world.auth.refresh(refresh(&pair)).await.unwrap();
}

#[tokio::test]
async fn logout_ends_the_access_token_and_its_refresh_chain_only() {
    let world = World::new();
    world.register("ana", None).await;
    let pair = world.login("ana").await;
    let other = world.login("ana").await;
    let claims = world.auth.authenticate(access(&pair)).await.unwrap();
    world.auth.logout(&claims).await.unwrap();

    assert!(matches!(
        world.auth.authenticate(access(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
    assert!(matches!(
        world.auth.refresh(refresh(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
    // The chain stays revoked for as long as its refresh tokens could live.
    world.clock.advance(TimeDelta::days(6));
    assert!(matches!(
        world.auth.refresh(refresh(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
    world.auth.refresh(refresh(&other)).await.unwrap();
}

#[tokio::test]
async fn refresh_rotation_holds_while_the_denylist_is_down() {
    let world = World::new();
    world.register("ana", None).await;
    let pair = world.login("ana").await;
    world.denylist.set_unavailable(true);
    // The session store decides: the chain rotates, and a replay still ends it.
    let next = world.auth.refresh(refresh(&pair)).await.unwrap();
    assert!(matches!(
        world.auth.refresh(refresh(&pair)).await,
        Err(AuthError::Unauthorized(_))
    ));
    assert!(
        matches!(
            world.auth.refresh(refresh(&next)).await,
            Err(AuthError::Unauthorized(_))
        ),
        "the replay ended the chain"
    );
    // A logout while the denylist is down still ends the chain for refresh.
    let other = world.login("ana").await;
    world.auth.logout(&other.access).await.unwrap();
    world.denylist.set_unavailable(false);
    assert!(matches!(
        world.auth.refresh(refresh(&other)).await,
        Err(AuthError::Unauthorized(_))
    ));
}
#[tokio::test]
async fn a_new_password_ends_every_other_session_and_an_admin_can_end_them_all() {
    let world = World::new();
    let user = world.register("ana", None).await;
    let (here, laptop, phone) = (
        world.login("ana").await,
        world.login("ana").await,
        world.login("ana").await,
    );
    let changes = ProfileChanges {
        current_password: Some(SecretString::from(PASSWORD)),
        new_password: Some(SecretString::from("a brand new passphrase")),
        session: Some(here.access.family),
        ..ProfileChanges::default()
    };
    world.auth.update_profile(user.id, changes).await.unwrap();
    for ended in [&laptop, &phone] {
        assert!(
            world.auth.authenticate(access(ended)).await.is_err(),
            "its access token stops"
        );
        assert!(
            world.auth.refresh(refresh(ended)).await.is_err(),
            "its chain ends"
        );
    }
    world.auth.authenticate(access(&here)).await.unwrap();
    let here = world.auth.refresh(refresh(&here)).await.unwrap();

    assert_eq!(world.auth.end_sessions(user.id, None).await.unwrap(), 1);
    assert!(world.auth.authenticate(access(&here)).await.is_err());
    assert!(world.auth.refresh(refresh(&here)).await.is_err());
}
