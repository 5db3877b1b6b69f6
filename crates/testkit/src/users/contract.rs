//! The behaviour every [`UserRepository`] must show, run against the in-memory fake
//! and against each real adapter.

use chrono::{DateTime, Utc};
use polychat_domain::ports::{ExternalIdentityStore, StoreError, UserRepository, UserUpdate};
use polychat_domain::{
    AccountRole, DisplayName, ExternalIdentity, ExternalSubject, IssuerName, ModelName,
    PasswordHash, StoredSecret, User, UserId, Username,
};
use uuid::Uuid;

/// Runs every check of the contract against `repo`, which may already hold other
/// users (names get a random suffix).
///
/// # Panics
/// When `repo` breaks the contract.
pub async fn contract(repo: &dyn UserRepository) {
    create_and_find(repo).await;
    updates(repo).await;
    key_pages(repo).await;
    key_compare_and_swap(repo).await;
}

/// A random identity at the issuer `sample`.
///
/// # Panics
/// Never: the literals are valid.
pub fn sample_identity() -> ExternalIdentity {
    ExternalIdentity {
        issuer: IssuerName::parse("sample").expect("a valid issuer name"),
        subject: ExternalSubject::parse(&Uuid::new_v4().to_string()).expect("a valid subject"),
    }
}

/// What every [`ExternalIdentityStore`] must do, over the same store's `users`: map an
/// identity to the user it creates with it, both or neither, and once only.
///
/// # Panics
/// When the store breaks the contract.
pub async fn external_contract(store: &dyn ExternalIdentityStore, users: &dyn UserRepository) {
    let identity = sample_identity();
    assert_eq!(store.find_user(&identity).await.expect("store"), None);
    let mut user = sample_user("ext");
    user.password_hash = PasswordHash::none();
    user.issuer = Some(identity.issuer.clone());
    store.create_user(&identity, &user).await.expect("store");
    assert_eq!(
        store.find_user(&identity).await.expect("store"),
        Some(user.id)
    );
    let stored = users
        .find_by_id(user.id)
        .await
        .expect("store")
        .expect("created");
    assert_eq!(stored.issuer, Some(identity.issuer.clone()));
    assert!(!stored.password_hash.is_usable());
    let by_name = users.find_by_username(&user.username).await.expect("store");
    assert_eq!(
        by_name.and_then(|u| u.issuer),
        Some(identity.issuer.clone())
    );

    // The identity is mapped once: a second user for it is not created.
    let twin = sample_user("ext");
    assert!(matches!(
        store.create_user(&identity, &twin).await,
        Err(StoreError::Duplicate)
    ));
    assert_eq!(users.find_by_id(twin.id).await.expect("store"), None);
    assert_eq!(
        store.find_user(&identity).await.expect("store"),
        Some(user.id)
    );

    // A taken username maps nothing.
    let other = sample_identity();
    let mut squatter = sample_user("ext");
    squatter.username = user.username.clone();
    assert!(matches!(
        store.create_user(&other, &squatter).await,
        Err(StoreError::Duplicate)
    ));
    assert_eq!(store.find_user(&other).await.expect("store"), None);

    // An update keeps the issuer.
    let update = UserUpdate {
        memory_enabled: Some(false),
        ..UserUpdate::default()
    };
    let updated = users
        .update(user.id, update)
        .await
        .expect("store")
        .expect("updated");
    assert_eq!(updated.issuer, Some(identity.issuer));
}

/// A user with a random name starting with `prefix`.
///
/// # Panics
/// When `prefix` is not a valid start of a username or longer than 20 characters.
pub fn sample_user(prefix: &str) -> User {
    let suffix = Uuid::new_v4().simple().to_string();
    let username = Username::parse(&format!("{prefix}_{}", &suffix[..10]))
        .unwrap_or_else(|e| panic!("bad sample username prefix {prefix:?}: {e}"));
    let at = sample_time();
    User {
        id: UserId::generate(),
        username,
        display_name: None,
        default_model: None,
        password_hash: PasswordHash::new("$2b$04$abcdefghijklmnopqrstuu".into()),
        openrouter_key: None,
        memory_enabled: true,
        issuer: None,
        role: AccountRole::User,
        created_at: at,
        updated_at: at,
    }
}

fn sample_time() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_767_225_600_123).unwrap_or_default()
}

fn secret(text: &str) -> StoredSecret {
    StoredSecret {
        ciphertext: format!("v1:test:{text}"),
        hint: "…abcd".into(),
    }
}

async fn create_and_find(repo: &dyn UserRepository) {
    let user = sample_user("Ana.Maria");
    repo.create(&user).await.expect("create");
    assert_eq!(
        repo.find_by_id(user.id).await.expect("find"),
        Some(user.clone())
    );

    let shouted = Username::parse(&user.username.as_str().to_uppercase()).expect("name");
    let found = repo.find_by_username(&shouted).await.expect("find by name");
    assert_eq!(
        found,
        Some(user.clone()),
        "names are found case-insensitively"
    );

    let mut twin = sample_user("x");
    twin.username = Username::parse(&user.username.as_str().to_lowercase()).expect("name");
    let again = repo.create(&twin).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate)),
        "a name differing only in case is taken: {again:?}"
    );
    assert_eq!(repo.find_by_id(twin.id).await.expect("find"), None);

    let stranger = Username::parse("nobody_here_x1").expect("name");
    assert_eq!(repo.find_by_username(&stranger).await.expect("find"), None);
    assert_eq!(
        repo.find_by_id(UserId::generate()).await.expect("find"),
        None
    );
}

async fn updates(repo: &dyn UserRepository) {
    let user = sample_user("bruno");
    repo.create(&user).await.expect("create");

    let name = DisplayName::parse("Bruno B.").expect("display name");
    let model = ModelName::parse("openai/gpt-4o-mini").expect("model");
    let update = UserUpdate {
        display_name: Some(Some(name.clone())),
        default_model: Some(Some(model.clone())),
        password_hash: Some(PasswordHash::new("$2b$04$another".into())),
        openrouter_key: Some(Some(secret("one"))),
        memory_enabled: Some(false),
        role: Some(AccountRole::Admin),
    };
    let updated = repo.update(user.id, update).await.expect("update");
    let updated = updated.expect("the user exists");
    assert_eq!(updated.display_name, Some(name.clone()));
    assert_eq!(updated.default_model, Some(model.clone()));
    assert_eq!(updated.password_hash.as_str(), "$2b$04$another");
    assert_eq!(updated.openrouter_key, Some(secret("one")));
    assert!(!updated.memory_enabled, "memory can be turned off");
    assert_eq!(
        updated.role,
        AccountRole::Admin,
        "the admin command sets the role"
    );
    assert_eq!((updated.id, &updated.username), (user.id, &user.username));
    assert_eq!(updated.created_at, user.created_at);
    assert_ne!(updated.updated_at, user.updated_at, "updated_at moves");
    let stored = repo.find_by_id(user.id).await.expect("find");
    assert_eq!(
        stored.as_ref(),
        Some(&updated),
        "update returns what is stored"
    );

    // `None` leaves a field alone, `Some(None)` clears it.
    let clear = UserUpdate {
        display_name: Some(None),
        openrouter_key: Some(None),
        ..UserUpdate::default()
    };
    let cleared = repo.update(user.id, clear).await.expect("update");
    let cleared = cleared.expect("the user exists");
    assert_eq!(cleared.display_name, None);
    assert_eq!(cleared.openrouter_key, None);
    assert_eq!(cleared.default_model, Some(model));
    assert_eq!(cleared.password_hash.as_str(), "$2b$04$another");
    assert!(
        !cleared.memory_enabled,
        "an update without it leaves memory off"
    );
    assert_eq!(
        cleared.role,
        AccountRole::Admin,
        "an update without it keeps the role"
    );

    let nothing = repo.update(user.id, UserUpdate::default()).await;
    assert_eq!(nothing.expect("update"), Some(cleared));

    let missing = repo.update(UserId::generate(), UserUpdate::default()).await;
    assert_eq!(missing.expect("update"), None);
    let missing = UserUpdate {
        display_name: Some(Some(name)),
        ..UserUpdate::default()
    };
    assert_eq!(
        repo.update(UserId::generate(), missing)
            .await
            .expect("update"),
        None
    );
}

async fn key_pages(repo: &dyn UserRepository) {
    let mut keyed = Vec::new();
    for i in 0..5 {
        let mut user = sample_user("carla");
        user.openrouter_key = Some(secret(&format!("carla-{i}")));
        repo.create(&user).await.expect("create");
        keyed.push((user.id, secret(&format!("carla-{i}"))));
    }
    let keyless = sample_user("dora");
    repo.create(&keyless).await.expect("create");
    keyed.sort_by_key(|(id, _)| *id);

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = repo.stored_keys_after(after, 2).await.expect("page");
        assert!(page.len() <= 2, "a page holds at most `limit` keys");
        let Some((last, _)) = page.last() else { break };
        after = Some(*last);
        seen.extend(page);
    }
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "pages are in id order"
    );
    assert!(
        seen.iter().all(|(id, _)| *id != keyless.id),
        "only users with a key"
    );
    let ours: Vec<_> = seen
        .into_iter()
        .filter(|(id, _)| keyed.iter().any(|(k, _)| k == id))
        .collect();
    assert_eq!(ours, keyed, "every stored key is listed once, with its id");
    assert!(
        repo.stored_keys_after(None, 0)
            .await
            .expect("page")
            .is_empty()
    );
}

async fn key_compare_and_swap(repo: &dyn UserRepository) {
    let mut user = sample_user("eva");
    user.openrouter_key = Some(secret("old"));
    repo.create(&user).await.expect("create");

    let swapped = repo
        .replace_key(user.id, &secret("stale"), &secret("new"))
        .await;
    assert!(
        !swapped.expect("replace"),
        "a stale expectation changes nothing"
    );
    let stored = repo.find_by_id(user.id).await.expect("find").expect("user");
    assert_eq!(stored.openrouter_key, Some(secret("old")));

    let swapped = repo
        .replace_key(user.id, &secret("old"), &secret("new"))
        .await;
    assert!(swapped.expect("replace"));
    let stored = repo.find_by_id(user.id).await.expect("find").expect("user");
    assert_eq!(stored.openrouter_key, Some(secret("new")));

    let keyless = sample_user("fabio");
    repo.create(&keyless).await.expect("create");
    let swapped = repo
        .replace_key(keyless.id, &secret("old"), &secret("new"))
        .await;
    assert!(!swapped.expect("replace"), "no key, nothing to swap");
    let swapped = repo
        .replace_key(UserId::generate(), &secret("old"), &secret("new"))
        .await;
    assert!(!swapped.expect("replace"));
}
