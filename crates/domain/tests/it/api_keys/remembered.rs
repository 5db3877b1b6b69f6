//! What a replica remembers of keys and accounts: read once, trusted while their owner's
//! stamp holds, dropped by every replica at the change that renews it.

use chrono::TimeDelta;
use polychat_domain::UserId;
use polychat_domain::services::auth::{AuthError, ProfileChanges};
use secrecy::{ExposeSecret, SecretString};

use super::{World, secret};

#[tokio::test]
async fn a_known_key_is_not_read_from_the_store_again_while_its_stamp_holds() {
    let world = World::new();
    let created = world.create(UserId::generate(), None).await;
    world.keys.authenticate(secret(&created)).await.unwrap();
    let after_first = world.store.lookups();
    assert_eq!(
        after_first, 2,
        "a key never seen is read twice, around its stamp"
    );
    for _ in 0..20 {
        world.keys.authenticate(secret(&created)).await.unwrap();
    }
    assert_eq!(world.store.lookups(), after_first, "then remembered");

    world.store.set_unavailable(true);
    let remembered = world.keys.authenticate(secret(&created)).await;
    assert!(
        remembered.is_ok(),
        "a known key outlives a database outage: {remembered:?}"
    );
    world.store.set_unavailable(false);

    world.clock.advance(TimeDelta::seconds(61));
    world.keys.authenticate(secret(&created)).await.unwrap();
    assert_eq!(
        world.store.lookups(),
        after_first + 2,
        "no entry is trusted past a minute: read again as never seen"
    );
}

#[tokio::test]
async fn a_key_revoked_on_one_replica_stops_at_once_on_every_other() {
    let world = World::new();
    let (_, other) = world.replica();
    let owner = UserId::generate();
    let created = world.create(owner, None).await;
    let kept = world.create(owner, None).await;
    for replica in [&world.keys, &other] {
        replica.authenticate(secret(&created)).await.unwrap();
        replica.authenticate(secret(&kept)).await.unwrap();
    }

    world.keys.revoke(owner, created.key.id).await.unwrap();
    for replica in [&world.keys, &other] {
        let revoked = replica.authenticate(secret(&created)).await;
        assert!(
            matches!(revoked, Err(AuthError::Unauthorized(_))),
            "{revoked:?}"
        );
        replica
            .authenticate(secret(&kept))
            .await
            .expect("the other key still works");
    }
}

#[tokio::test]
async fn without_stamps_every_request_reads_the_store_so_revocation_still_holds() {
    let world = World::new();
    let (_, other) = world.replica();
    let owner = UserId::generate();
    let created = world.create(owner, None).await;
    other.authenticate(secret(&created)).await.unwrap();

    world.stamps.set_unavailable(true);
    let before = world.store.lookups();
    other.authenticate(secret(&created)).await.unwrap();
    assert_eq!(
        world.store.lookups(),
        before + 1,
        "nothing remembered is trusted"
    );
    world.keys.revoke(owner, created.key.id).await.unwrap();
    let revoked = other.authenticate(secret(&created)).await;
    assert!(
        matches!(revoked, Err(AuthError::Unauthorized(_))),
        "{revoked:?}"
    );
}

#[tokio::test]
async fn stamps_lost_by_their_store_make_every_remembered_key_stale() {
    let world = World::new();
    let created = world.create(UserId::generate(), None).await;
    world.keys.authenticate(secret(&created)).await.unwrap();
    world.stamps.lose_everything();
    let before = world.store.lookups();
    world.keys.authenticate(secret(&created)).await.unwrap();
    assert_eq!(
        world.store.lookups(),
        before + 1,
        "read again under the new stamp"
    );
}

#[tokio::test]
async fn account_changes_reach_every_replica_at_their_next_model_call() {
    let world = World::new();
    let (other_auth, _) = world.replica();
    let user = world.user("ana").await;
    let before = other_auth.model_access(user).await.unwrap();
    assert!(before.api_key.is_none() && before.memory_enabled);

    let changes = ProfileChanges {
        default_model: Some(Some("openai/gpt-4o".to_owned())),
        openrouter_api_key: Some(Some(SecretString::from("sk-or-v1-new"))),
        memory_enabled: Some(false),
        ..ProfileChanges::default()
    };
    world.auth.update_profile(user, changes).await.unwrap();
    let after = other_auth.model_access(user).await.unwrap();
    assert_eq!(
        after
            .default_model
            .as_ref()
            .map(polychat_domain::ModelName::as_str),
        Some("openai/gpt-4o")
    );
    assert_eq!(
        after.api_key.as_ref().map(ExposeSecret::expose_secret),
        Some("sk-or-v1-new")
    );
    assert!(!after.memory_enabled);
    assert_eq!(world.stamps.renewals(), 1);
}
