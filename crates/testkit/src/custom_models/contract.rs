//! The behaviour every [`CustomModelRepository`] must show, run against the in-memory
//! fake and against each real adapter.

use chrono::{DateTime, Utc};
use polychat_domain::custom_model::{CustomModel, ModelSettings, ModelSlug, SealedHeader};
use polychat_domain::ports::{CustomModelRepository, StoreError};
use polychat_domain::{CustomModelId, ModelName, UserId, Username};
use uuid::Uuid;

/// Runs every check of the contract against `repo`, which may hold other models
/// (slugs get a random suffix); `admin` is an existing user's id.
///
/// # Panics
/// When `repo` breaks the contract.
pub async fn contract(repo: &dyn CustomModelRepository, admin: UserId) {
    create_find_and_list(repo, admin).await;
    versions_and_purge(repo, admin).await;
    replacing_sealed_values(repo, admin).await;
}

/// A re-seal replaces a value only where it is still the one it was read as, and
/// makes no version.
async fn replacing_sealed_values(repo: &dyn CustomModelRepository, admin: UserId) {
    let model = sample_model("reseal");
    repo.create(&model, admin).await.expect("create");
    let mut resealed = model.settings.clone();
    "sealed-again".clone_into(&mut resealed.webhook_headers[0].ciphertext);
    assert!(
        repo.replace_settings(model.id, None, &model.settings, &resealed)
            .await
            .expect("replace current")
    );
    assert!(
        !repo
            .replace_settings(model.id, None, &model.settings, &resealed)
            .await
            .expect("replace stale"),
        "a value changed meanwhile is kept"
    );
    assert!(
        repo.replace_settings(model.id, Some(1), &model.settings, &resealed)
            .await
            .expect("replace version")
    );
    assert!(
        !repo
            .replace_settings(model.id, Some(9), &model.settings, &resealed)
            .await
            .expect("no such version")
    );
    assert!(
        repo.replace_signing_secret(model.id, "sealed-secret", "secret-again")
            .await
            .expect("replace secret")
    );
    assert!(
        !repo
            .replace_signing_secret(model.id, "sealed-secret", "other")
            .await
            .expect("stale secret")
    );
    let found = repo.find(model.id).await.expect("find").expect("stored");
    assert_eq!(
        (
            &found.settings,
            found.signing_secret.as_str(),
            found.version
        ),
        (&resealed, "secret-again", 1),
        "re-sealed in place, no new version"
    );
    let versions = repo.versions(model.id).await.expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].settings, resealed);
    assert!(
        !repo
            .replace_signing_secret(CustomModelId::generate(), "a", "b")
            .await
            .expect("unknown model")
    );
}

/// A model whose slug starts with `prefix` and has a random suffix.
///
/// # Panics
/// When `prefix` is not a valid start of a slug or longer than 40 characters.
pub fn sample_model(prefix: &str) -> CustomModel {
    let suffix = Uuid::new_v4().simple().to_string();
    let slug = ModelSlug::parse(&format!("{prefix}-{}", &suffix[..10]))
        .unwrap_or_else(|e| panic!("bad sample slug prefix {prefix:?}: {e}"));
    let at: DateTime<Utc> = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    CustomModel {
        id: CustomModelId::generate(),
        settings: ModelSettings {
            slug,
            name: "Sample".to_owned(),
            description: Some("A sample model".to_owned()),
            chat_webhook_url: "https://n8n.example.com/webhook/chat".to_owned(),
            completions_webhook_url: "https://n8n.example.com/webhook/completion".to_owned(),
            is_active: true,
            fallback_model: ModelName::parse("openai/gpt-4o-mini").ok(),
            timeout_seconds: 60,
            allowed_usernames: vec![Username::parse("ana").unwrap_or_else(|e| panic!("{e}"))],
            webhook_headers: vec![SealedHeader {
                name: "X-Token".to_owned(),
                ciphertext: "sealed-value".to_owned(),
            }],
        },
        signing_secret: "sealed-secret".to_owned(),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

async fn create_find_and_list(repo: &dyn CustomModelRepository, admin: UserId) {
    let model = sample_model("alpha");
    repo.create(&model, admin).await.expect("create");
    let found = repo.find(model.id).await.expect("find");
    assert_eq!(found.as_ref(), Some(&model), "stored as given");
    let by_slug = repo
        .find_by_slug(&model.settings.slug)
        .await
        .expect("by slug");
    assert_eq!(by_slug, Some(model.clone()));
    assert_eq!(
        repo.find(CustomModelId::generate()).await.expect("find"),
        None
    );

    let mut twin = sample_model("alpha");
    twin.settings.slug = model.settings.slug.clone();
    assert!(
        matches!(repo.create(&twin, admin).await, Err(StoreError::Duplicate)),
        "a slug is unique"
    );

    let mut off = sample_model("beta");
    off.settings.is_active = false;
    repo.create(&off, admin).await.expect("create inactive");
    let active = repo.list(false).await.expect("list");
    assert!(active.iter().any(|m| m.id == model.id));
    assert!(
        !active.iter().any(|m| m.id == off.id),
        "inactive models are left out"
    );
    let all = repo.list(true).await.expect("list all");
    assert!(all.iter().any(|m| m.id == off.id));
    let slugs: Vec<&str> = all.iter().map(|m| m.settings.slug.as_str()).collect();
    let mut sorted = slugs.clone();
    sorted.sort_unstable();
    assert_eq!(slugs, sorted, "by slug");
}

async fn versions_and_purge(repo: &dyn CustomModelRepository, admin: UserId) {
    let model = sample_model("gamma");
    repo.create(&model, admin).await.expect("create");
    let settings = ModelSettings {
        name: "Changed".to_owned(),
        fallback_model: None,
        ..model.settings.clone()
    };
    let changed = repo
        .update(model.id, &settings, admin)
        .await
        .expect("update");
    let changed = changed.expect("the model exists");
    assert_eq!(changed.version, 2);
    assert_eq!(changed.settings, settings);
    assert_eq!(
        changed.signing_secret, model.signing_secret,
        "the secret stays"
    );
    assert_eq!(changed.created_at, model.created_at);

    let versions = repo.versions(model.id).await.expect("versions");
    let numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
    assert_eq!(numbers, vec![2, 1], "newest first");
    assert_eq!(
        versions[1].settings, model.settings,
        "the first version kept"
    );
    assert_eq!(versions[0].changed_by, Some(admin));

    let other = sample_model("delta");
    repo.create(&other, admin).await.expect("create");
    let mut stolen = settings.clone();
    stolen.slug = other.settings.slug.clone();
    assert!(
        matches!(
            repo.update(model.id, &stolen, admin).await,
            Err(StoreError::Duplicate)
        ),
        "a change cannot take another model's slug"
    );
    assert_eq!(
        repo.versions(model.id).await.expect("versions").len(),
        2,
        "nothing written"
    );
    let missing = repo
        .update(CustomModelId::generate(), &settings, admin)
        .await;
    assert_eq!(missing.expect("update"), None);

    assert!(repo.purge(model.id).await.expect("purge"));
    assert_eq!(repo.find(model.id).await.expect("find"), None);
    assert!(
        repo.versions(model.id).await.expect("versions").is_empty(),
        "versions go too"
    );
    assert!(!repo.purge(model.id).await.expect("purge again"));
}
