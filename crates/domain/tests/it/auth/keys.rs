//! The stored OpenRouter key: opened only for its owner, re-sealed when the master key
//! rotates.

use polychat_domain::ports::UserRepository;
use polychat_domain::services::auth::{AuthError, RotationReport};
use polychat_domain::{StoredSecret, UserId};
use polychat_testkit::security::FakeCipher;
use secrecy::ExposeSecret;

use super::World;

#[tokio::test]
async fn model_access_opens_the_owners_key_and_brings_the_default_model() {
    let world = World::new();
    let user = world.register("ana", Some("sk-or-v1-ana-0001")).await;
    let access = world.auth.model_access(user.id).await.unwrap();
    assert_eq!(
        access.api_key.as_ref().unwrap().expose_secret(),
        "sk-or-v1-ana-0001"
    );
    assert!(access.default_model.is_none());

    let keyless = world.register("bruno", None).await;
    let keyless = world.auth.model_access(keyless.id).await.unwrap();
    assert!(
        keyless.api_key.is_none(),
        "no key, but custom models need none"
    );
    assert_eq!(keyless.username.as_str(), "bruno");
    assert!(matches!(
        world.auth.model_access(UserId::generate()).await,
        Err(AuthError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn a_key_copied_to_another_user_does_not_open() {
    let world = World::new();
    let ana = world.register("ana", Some("sk-or-v1-ana-0001")).await;
    let bruno = world.register("bruno", Some("sk-or-v1-bruno-02")).await;
    let anas = world.stored(&ana).await.openrouter_key.unwrap();
    let brunos = world.stored(&bruno).await.openrouter_key.unwrap();
    assert!(
        world
            .users
            .replace_key(bruno.id, &brunos, &anas)
            .await
            .unwrap()
    );
    let access = world.auth.model_access(bruno.id).await;
    assert!(access.is_err(), "bruno must not get ana's key");
}

#[tokio::test]
async fn rotation_reseals_every_key_under_the_new_master_key() {
    let old = World::with_cipher(FakeCipher::with_keys("k1", &[]));
    let mut users = Vec::new();
    for i in 0..5 {
        let key = format!("sk-or-v1-user-{i:04}");
        users.push((old.register(&format!("user{i}"), Some(&key)).await, key));
    }
    old.register("keyless", None).await;

    let new = World::sharing(
        old.users.clone(),
        old.clock.clone(),
        FakeCipher::with_keys("k2", &["k1"]),
    );
    let report = new.auth.rotate_keys().await.unwrap();
    assert_eq!(
        report,
        RotationReport {
            examined: 5,
            rotated: 5,
            undecryptable: 0
        }
    );
    for (user, key) in &users {
        let stored = new.stored(user).await.openrouter_key.unwrap();
        assert!(stored.ciphertext.starts_with("fake:k2:"), "{user:?}");
        let access = new.auth.model_access(user.id).await.unwrap();
        assert_eq!(access.api_key.as_ref().unwrap().expose_secret(), key);
    }
    // Done is done: a second pass has nothing to do.
    let again = new.auth.rotate_keys().await.unwrap();
    assert_eq!((again.examined, again.rotated), (5, 0));

    // With the old key dropped entirely, the rotated keys still open.
    let newest = World::sharing(
        old.users.clone(),
        old.clock.clone(),
        FakeCipher::with_keys("k2", &[]),
    );
    let (user, key) = &users[0];
    let access = newest.auth.model_access(user.id).await.unwrap();
    assert_eq!(access.api_key.as_ref().unwrap().expose_secret(), key);
}

#[tokio::test]
async fn rotation_counts_what_it_cannot_open_and_leaves_it_alone() {
    let old = World::with_cipher(FakeCipher::with_keys("k1", &[]));
    let good = old.register("good", Some("sk-or-v1-good-0001")).await;
    let lost = old.register("lost", Some("sk-or-v1-lost-0002")).await;
    let sealed = old.stored(&lost).await.openrouter_key.unwrap();
    let unknown_key = StoredSecret {
        ciphertext: sealed.ciphertext.replacen("fake:k1:", "fake:k0:", 1),
        hint: sealed.hint.clone(),
    };
    assert!(
        old.users
            .replace_key(lost.id, &sealed, &unknown_key)
            .await
            .unwrap()
    );

    let new = World::sharing(
        old.users.clone(),
        old.clock.clone(),
        FakeCipher::with_keys("k2", &["k1"]),
    );
    let report = new.auth.rotate_keys().await.unwrap();
    assert_eq!(
        (report.examined, report.rotated, report.undecryptable),
        (2, 1, 1)
    );
    assert_eq!(new.stored(&lost).await.openrouter_key, Some(unknown_key));
    assert!(new.auth.model_access(good.id).await.is_ok());
}
