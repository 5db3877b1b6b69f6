//! The behaviour every [`ApiKeyStore`] must show, run against the in-memory fake and
//! against each real adapter.

use chrono::{DateTime, TimeDelta, Utc};
use polychat_domain::ports::{ApiKeyStore, StoreError, StoredApiKey};
use polychat_domain::{ApiKey, ApiKeyHash, ApiKeyId, ApiKeyName, UserId};
use uuid::Uuid;

/// Runs every check of the contract against `store`; `alice` and `bob` are two existing
/// users without keys.
///
/// # Panics
/// When `store` breaks the contract.
pub async fn contract(store: &dyn ApiKeyStore, alice: UserId, bob: UserId) {
    create_find_and_list(store, alice, bob).await;
    hashes_are_unique(store, alice, bob).await;
    deletes_are_scoped_by_owner(store, alice, bob).await;
    touches_only_move_forward(store, alice).await;
}

/// A key of `owner` created `age_ms` milliseconds after a fixed instant, with a random
/// 32-byte hash.
///
/// # Panics
/// When `name` is not a valid key name.
pub fn sample_key(owner: UserId, name: &str, age_ms: i64) -> (ApiKey, ApiKeyHash) {
    let created_at = base_time() + TimeDelta::milliseconds(age_ms);
    let key = ApiKey {
        id: ApiKeyId::generate(),
        user_id: owner,
        name: ApiKeyName::parse(name).expect("sample key name"),
        prefix: "pc_test1".into(),
        created_at,
        expires_at: Some(created_at + TimeDelta::days(30)),
        last_used_at: None,
    };
    let hash = [Uuid::new_v4(), Uuid::new_v4()]
        .iter()
        .flat_map(|id| id.into_bytes())
        .collect();
    (key, ApiKeyHash::new(hash))
}

fn base_time() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_767_225_600_123).unwrap_or_default()
}

async fn create(store: &dyn ApiKeyStore, (key, hash): &(ApiKey, ApiKeyHash)) {
    store.create(key, hash).await.expect("create key");
}

async fn create_find_and_list(store: &dyn ApiKeyStore, alice: UserId, bob: UserId) {
    let older = sample_key(alice, "older", 0);
    let mut newer = sample_key(alice, "newer", 1_000);
    newer.0.expires_at = None;
    let theirs = sample_key(bob, "bob's", 500);
    for key in [&older, &newer, &theirs] {
        create(store, key).await;
    }
    let found = store.find_by_hash(&newer.1).await.expect("find");
    assert_eq!(
        found,
        Some(StoredApiKey {
            key: newer.0.clone(),
            hash: newer.1.clone()
        }),
        "a key reads back as written"
    );
    let unknown = sample_key(alice, "unknown", 0).1;
    assert_eq!(store.find_by_hash(&unknown).await.expect("find"), None);

    let listed = store.list(alice).await.expect("list");
    assert_eq!(
        listed,
        vec![newer.0.clone(), older.0.clone()],
        "the owner's keys, newest first"
    );
    assert_eq!(store.list(bob).await.expect("list"), vec![theirs.0.clone()]);
    assert_eq!(store.list(UserId::generate()).await.expect("list"), vec![]);
    for (owner, key) in [(alice, older.0.id), (alice, newer.0.id), (bob, theirs.0.id)] {
        assert!(store.delete(owner, key).await.expect("clean up"));
    }
}

async fn hashes_are_unique(store: &dyn ApiKeyStore, alice: UserId, bob: UserId) {
    let first = sample_key(alice, "first", 0);
    create(store, &first).await;
    let (twin, _) = sample_key(bob, "twin", 0);
    let again = store.create(&twin, &first.1).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate)),
        "a hash is stored once: {again:?}"
    );
    assert_eq!(store.list(bob).await.expect("list"), vec![]);
    let same_id = store.create(&first.0, &sample_key(alice, "x", 0).1).await;
    assert!(matches!(same_id, Err(StoreError::Duplicate)), "{same_id:?}");
    assert!(store.delete(alice, first.0.id).await.expect("clean up"));
}

async fn deletes_are_scoped_by_owner(store: &dyn ApiKeyStore, alice: UserId, bob: UserId) {
    let key = sample_key(alice, "mine", 0);
    create(store, &key).await;
    assert!(
        !store.delete(bob, key.0.id).await.expect("delete"),
        "another user cannot delete the key"
    );
    assert!(store.find_by_hash(&key.1).await.expect("find").is_some());
    assert!(store.delete(alice, key.0.id).await.expect("delete"));
    assert_eq!(store.find_by_hash(&key.1).await.expect("find"), None);
    assert_eq!(store.list(alice).await.expect("list"), vec![]);
    assert!(!store.delete(alice, key.0.id).await.expect("delete twice"));
}

async fn touches_only_move_forward(store: &dyn ApiKeyStore, alice: UserId) {
    let key = sample_key(alice, "used", 0);
    create(store, &key).await;
    let used_at = key.0.created_at + TimeDelta::minutes(5);
    store.touch(key.0.id, used_at).await.expect("touch");
    let last_used = |stored: Option<StoredApiKey>| stored.expect("key").key.last_used_at;
    assert_eq!(
        last_used(store.find_by_hash(&key.1).await.expect("find")),
        Some(used_at)
    );
    store
        .touch(key.0.id, used_at - TimeDelta::minutes(1))
        .await
        .expect("touch earlier");
    assert_eq!(
        last_used(store.find_by_hash(&key.1).await.expect("find")),
        Some(used_at),
        "a late write of an earlier use does not move last_used_at back"
    );
    assert_eq!(
        store.list(alice).await.expect("list")[0].last_used_at,
        Some(used_at)
    );
    assert!(store.delete(alice, key.0.id).await.expect("delete"));
    store
        .touch(key.0.id, used_at)
        .await
        .expect("touching a deleted key is not an error");
}
