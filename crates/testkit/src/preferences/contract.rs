//! The behaviour every [`PreferenceStore`] must show, run against the in-memory fake
//! and against each real adapter.

use chrono::{DateTime, TimeDelta, Utc};
use polychat_domain::ports::{PreferenceStore, ScoredPreference, StoreError};
use polychat_domain::{
    ChatId, Embedding, PreferenceId, PreferenceKind, PreferenceText, UserId, UserPreference,
};

/// Similarities read back from a store may be rounded (pgvector computes in f32/f64).
const TOLERANCE: f32 = 1e-4;

/// A unit vector of `dims` dimensions along axis `i`.
pub fn axis(dims: usize, i: usize) -> Embedding {
    blend(dims, &[(i, 1.0)])
}

/// A vector of `dims` dimensions with the given weights on the given axes; with weights
/// whose squares sum to 1 its cosine with [`axis`]`(i)` is the weight of `i`.
pub fn blend(dims: usize, weights: &[(usize, f32)]) -> Embedding {
    let mut values = vec![0.0; dims];
    for &(i, weight) in weights {
        values[i] = weight;
    }
    Embedding::new(values)
}

/// Runs every check of the contract. `alice` and `bob` must be users the store accepts
/// (real stores may require them to exist) who hold no preferences yet; `dims` is the
/// dimension the store's vectors have (at least 8).
///
/// # Panics
/// When `store` breaks the contract.
pub async fn contract(store: &dyn PreferenceStore, alice: UserId, bob: UserId, dims: usize) {
    assert!(dims >= 8, "the contract needs at least 8 dimensions");
    let base = DateTime::from_timestamp_millis(1_767_225_600_000).unwrap_or_default();
    let at = |minutes: i64| base + TimeDelta::minutes(minutes);
    let make = |owner, text: &str, kind, axis_i, minutes| UserPreference {
        id: PreferenceId::generate(),
        owner,
        text: PreferenceText::parse(text).expect("text"),
        kind,
        embedding: axis(dims, axis_i),
        source_chat_id: Some(ChatId::generate()),
        superseded_by: None,
        created_at: at(minutes),
        updated_at: at(minutes),
    };
    let tea = make(alice, "Prefers tea", PreferenceKind::Preference, 0, 0);
    let name = make(alice, "Is called Alice", PreferenceKind::Identity, 1, 1);
    let mut terse = make(alice, "Wants short answers", PreferenceKind::Style, 2, 2);
    terse.source_chat_id = None;
    let bobs = make(bob, "Prefers tea too", PreferenceKind::Preference, 0, 3);
    for p in [&tea, &name, &terse, &bobs] {
        store.insert(p).await.expect("insert");
    }
    let again = store.insert(&tea).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate)),
        "same id twice: {again:?}"
    );

    let listed = store.list_active(alice).await.expect("list");
    assert_eq!(
        listed,
        vec![terse.clone(), name.clone(), tea.clone()],
        "newest first"
    );
    let of_kind = async |owner, kind, limit| {
        store
            .active_of_kind(owner, kind, limit)
            .await
            .expect("active_of_kind")
    };
    assert_eq!(
        of_kind(alice, PreferenceKind::Style, 5).await,
        vec![terse.clone()]
    );
    assert_eq!(
        of_kind(alice, PreferenceKind::Preference, 5).await,
        vec![tea.clone()]
    );
    assert_eq!(
        of_kind(bob, PreferenceKind::Style, 5).await,
        vec![],
        "owner's only"
    );
    assert_eq!(
        of_kind(alice, PreferenceKind::Style, 0).await,
        vec![],
        "at most limit"
    );
    assert_eq!(
        store.find(alice, tea.id).await.expect("find"),
        Some(tea.clone())
    );
    assert_eq!(
        store.find(bob, tea.id).await.expect("find"),
        None,
        "owner-scoped"
    );
    assert_eq!(
        store
            .find(alice, PreferenceId::generate())
            .await
            .expect("find"),
        None
    );

    nearest(store, alice, dims, &tea, &name).await;
    update(store, alice, bob, dims, &tea, at(10)).await;
    supersede(store, alice, bob, dims, &name, &terse, at(20)).await;
    delete(store, alice, bob, &terse, &bobs).await;
}

fn ids(hits: &[ScoredPreference]) -> Vec<PreferenceId> {
    hits.iter().map(|h| h.preference.id).collect()
}

async fn nearest(
    store: &dyn PreferenceStore,
    alice: UserId,
    dims: usize,
    tea: &UserPreference,
    name: &UserPreference,
) {
    let query = blend(dims, &[(0, 0.8), (1, 0.6)]);
    let hits = store
        .nearest(alice, &query, 10, 0.5)
        .await
        .expect("nearest");
    assert_eq!(
        ids(&hits),
        vec![tea.id, name.id],
        "most similar first, above threshold"
    );
    assert_eq!(&hits[0].preference, tea);
    assert!(
        (hits[0].similarity - 0.8).abs() < TOLERANCE,
        "{}",
        hits[0].similarity
    );
    assert!(
        (hits[1].similarity - 0.6).abs() < TOLERANCE,
        "{}",
        hits[1].similarity
    );

    let strict = store
        .nearest(alice, &query, 10, 0.7)
        .await
        .expect("nearest");
    assert_eq!(ids(&strict), vec![tea.id], "the threshold is applied");
    let one = store
        .nearest(alice, &query, 1, -1.0)
        .await
        .expect("nearest");
    assert_eq!(ids(&one), vec![tea.id], "the limit is applied");
    let none = store
        .nearest(alice, &query, 0, -1.0)
        .await
        .expect("nearest");
    assert!(none.is_empty(), "limit 0 finds nothing");
    let all = store
        .nearest(alice, &query, 10, -1.0)
        .await
        .expect("nearest");
    assert_eq!(all.len(), 3, "only the owner's preferences, never bob's");
}

async fn update(
    store: &dyn PreferenceStore,
    alice: UserId,
    bob: UserId,
    dims: usize,
    tea: &UserPreference,
    at: DateTime<Utc>,
) {
    let text = PreferenceText::parse("Prefers green tea").expect("text");
    let kind = PreferenceKind::Fact;
    let moved = axis(dims, 3);
    let stolen = store.update(bob, tea.id, &text, kind, &moved, at).await;
    assert_eq!(stolen.expect("update"), None, "another owner cannot update");
    assert_eq!(
        store.find(alice, tea.id).await.expect("find").as_ref(),
        Some(tea)
    );

    let updated = store.update(alice, tea.id, &text, kind, &moved, at).await;
    let updated = updated.expect("update").expect("alice owns it");
    let expected = UserPreference {
        text,
        kind,
        embedding: moved.clone(),
        updated_at: at,
        ..tea.clone()
    };
    assert_eq!(updated, expected);
    assert_eq!(
        store.find(alice, tea.id).await.expect("find"),
        Some(expected)
    );
    let hits = store.nearest(alice, &moved, 1, 0.9).await.expect("nearest");
    assert_eq!(ids(&hits), vec![tea.id], "search uses the new embedding");
}

async fn supersede(
    store: &dyn PreferenceStore,
    alice: UserId,
    bob: UserId,
    dims: usize,
    old: &UserPreference,
    new: &UserPreference,
    at: DateTime<Utc>,
) {
    assert!(
        !store
            .supersede(bob, old.id, new.id, at)
            .await
            .expect("supersede")
    );
    assert!(
        store
            .supersede(alice, old.id, new.id, at)
            .await
            .expect("supersede")
    );
    assert!(
        !store
            .supersede(alice, old.id, new.id, at)
            .await
            .expect("supersede"),
        "only active preferences can be superseded"
    );
    let same_kind = store
        .active_of_kind(alice, old.kind, 10)
        .await
        .expect("active_of_kind");
    assert!(
        same_kind.iter().all(|p| p.id != old.id),
        "superseded ones are not among the active of their kind"
    );
    let listed = store.list_active(alice).await.expect("list");
    assert!(
        listed.iter().all(|p| p.id != old.id),
        "superseded ones are not listed"
    );
    let hits = store
        .nearest(alice, &old.embedding, 10, -1.0)
        .await
        .expect("nearest");
    assert!(
        hits.iter().all(|h| h.preference.id != old.id),
        "nor ever found"
    );
    let stored = store
        .find(alice, old.id)
        .await
        .expect("find")
        .expect("kept");
    assert_eq!(stored.superseded_by, Some(new.id));
    assert_eq!(stored.updated_at, at);
    let text = PreferenceText::parse("Is called Alicia").expect("text");
    let revived = store
        .update(alice, old.id, &text, old.kind, &axis(dims, 4), at)
        .await;
    assert_eq!(
        revived.expect("update"),
        None,
        "superseded ones cannot be updated"
    );
}

async fn delete(
    store: &dyn PreferenceStore,
    alice: UserId,
    bob: UserId,
    terse: &UserPreference,
    bobs: &UserPreference,
) {
    assert!(
        !store.delete(bob, terse.id).await.expect("delete"),
        "owner-scoped"
    );
    assert!(store.find(alice, terse.id).await.expect("find").is_some());
    assert!(store.delete(alice, terse.id).await.expect("delete"));
    assert!(
        !store.delete(alice, terse.id).await.expect("delete"),
        "already gone"
    );
    assert_eq!(store.find(alice, terse.id).await.expect("find"), None);
    assert_eq!(
        store.list_active(bob).await.expect("list"),
        vec![bobs.clone()]
    );
}
