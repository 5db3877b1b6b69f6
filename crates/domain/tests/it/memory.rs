//! Use-case tests of the memory service over in-memory fakes: recall merges every style
//! instruction with the nearest preferences, remember dedupes and supersedes, an
//! embeddings outage costs the memories but nothing else, deleted means never used.

use polychat_testkit::chats::InMemoryChats;
use polychat_testkit::tasks::TestTasks;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use polychat_domain::ports::{DetectedPreference, PreferenceDetector};
use polychat_domain::services::memory::{MemoryError, MemoryPolicy, MemoryPorts, MemoryService};
use polychat_domain::{Embedding, PreferenceKind, PreferenceText, Prompt, UserId};
use polychat_testkit::clock::ManualClock;
use polychat_testkit::embedder::HashingEmbedder;
use polychat_testkit::message_index::InMemoryMessageIndex;
use polychat_testkit::preferences::InMemoryPreferences;

/// A detector that finds exactly the statements scripted for a prompt.
#[derive(Default)]
struct ScriptedDetector(HashMap<String, Vec<(String, PreferenceKind)>>);

impl ScriptedDetector {
    fn with(mut self, prompt: &str, statement: &str, kind: PreferenceKind) -> Self {
        self.0
            .entry(prompt.to_owned())
            .or_default()
            .push((statement.to_owned(), kind));
        self
    }
}

impl PreferenceDetector for ScriptedDetector {
    fn detect(&self, prompt: &str, _embedding: Option<&Embedding>) -> Vec<DetectedPreference> {
        self.0
            .get(prompt)
            .into_iter()
            .flatten()
            .map(|(text, kind)| DetectedPreference {
                text: PreferenceText::parse(text).expect("a scripted statement"),
                kind: *kind,
            })
            .collect()
    }
}

struct World {
    memory: MemoryService,
    embedder: Arc<HashingEmbedder>,
    clock: Arc<ManualClock>,
}

/// Bag-of-words similarities are lower and wider spread than e5's, so the thresholds
/// differ from the production defaults; the rules under test do not.
fn policy() -> MemoryPolicy {
    MemoryPolicy {
        recall_limit: 5,
        recall_min_similarity: 0.3,
        supersede_similarity: 0.97,
        ..MemoryPolicy::default()
    }
}

fn world(detector: ScriptedDetector) -> World {
    world_with(detector, policy())
}

fn world_with(detector: ScriptedDetector, policy: MemoryPolicy) -> World {
    let embedder = Arc::new(HashingEmbedder::default());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap(),
    ));
    let memory = MemoryService::new(
        MemoryPorts {
            preferences: Arc::new(InMemoryPreferences::new()),
            messages: Arc::new(InMemoryMessageIndex::new()),
            embedder: embedder.clone(),
            detector: Arc::new(detector),
            clock: clock.clone(),
            tasks: Arc::new(TestTasks::new()),
            chats: Arc::new(InMemoryChats::new()),
        },
        policy,
    );
    World {
        memory,
        embedder,
        clock,
    }
}

fn prompt(text: &str) -> Prompt {
    Prompt::parse(text).expect("a valid prompt")
}

impl World {
    /// Runs the chat side of memory for one prompt: recall, then remember.
    async fn turn(&self, owner: UserId, text: &str) -> (Vec<String>, Vec<String>) {
        self.clock.advance(TimeDelta::seconds(1));
        let recall = self
            .memory
            .recall(
                owner,
                &prompt(text),
                &polychat_domain::timeline::Timeline::default(),
            )
            .await;
        let used = recall
            .used
            .iter()
            .map(|p| p.text.as_str().to_owned())
            .collect();
        let saved = self
            .memory
            .remember(owner, None, recall.detected)
            .await
            .iter()
            .map(|p| p.text.as_str().to_owned())
            .collect();
        (used, saved)
    }

    async fn active(&self, owner: UserId) -> Vec<String> {
        let mut texts: Vec<String> = self
            .memory
            .list(owner)
            .await
            .expect("the fake store answers")
            .into_iter()
            .map(|p| p.text.as_str().to_owned())
            .collect();
        texts.sort();
        texts
    }
}

const DEV: &str = "sou desenvolvedor de software";
const FORMAL: &str = "fale comigo de maneira formal";
const INFORMAL: &str = "fale comigo de maneira informal";

fn scripted() -> ScriptedDetector {
    ScriptedDetector::default()
        .with(DEV, DEV, PreferenceKind::Identity)
        .with(FORMAL, FORMAL, PreferenceKind::Style)
        .with(INFORMAL, INFORMAL, PreferenceKind::Style)
        .with("moro em Curitiba", "moro em Curitiba", PreferenceKind::Fact)
        .with(
            "moro em Lisboa agora",
            "moro em Lisboa",
            PreferenceKind::Fact,
        )
        .with(
            "tenho dois filhos",
            "tenho dois filhos",
            PreferenceKind::Fact,
        )
        .with("gosto de café", "gosto de café", PreferenceKind::Preference)
        .with(
            "não gosto de café",
            "não gosto de café",
            PreferenceKind::Preference,
        )
        .with(
            "prefiro respostas curtas",
            "prefiro respostas curtas",
            PreferenceKind::Style,
        )
        .with(
            "give me long detailed answers",
            "give me long detailed answers",
            PreferenceKind::Style,
        )
}

#[tokio::test]
async fn recall_merges_every_style_instruction_with_the_nearest_preferences() {
    let w = world(scripted());
    let owner = UserId::generate();
    for text in [DEV, FORMAL, "tenho dois filhos"] {
        let (_, saved) = w.turn(owner, text).await;
        assert_eq!(saved, vec![text.to_owned()]);
    }
    let (used, _) = w
        .turn(
            owner,
            "qual linguagem um desenvolvedor de software deve aprender?",
        )
        .await;
    assert!(used.contains(&DEV.to_owned()), "{used:?}");
    assert!(used.contains(&FORMAL.to_owned()), "{used:?}");
    assert!(!used.contains(&"tenho dois filhos".to_owned()), "{used:?}");

    // Style comes even with a prompt that shares nothing with it.
    let (used, _) = w.turn(owner, "quanto é 17 vezes 23?").await;
    assert_eq!(used, vec![FORMAL.to_owned()]);
}

#[tokio::test]
async fn only_the_newest_style_instructions_go_with_every_prompt() {
    let w = world_with(
        scripted(),
        MemoryPolicy {
            style_limit: 1,
            ..policy()
        },
    );
    let owner = UserId::generate();
    for text in [FORMAL, "prefiro respostas curtas"] {
        let (_, saved) = w.turn(owner, text).await;
        assert_eq!(saved, vec![text.to_owned()]);
    }
    assert_eq!(w.active(owner).await.len(), 2, "both are kept");
    let (used, _) = w.turn(owner, "quanto é 17 vezes 23?").await;
    assert_eq!(used, vec!["prefiro respostas curtas".to_owned()]);
}

#[tokio::test]
async fn a_repeated_statement_is_kept_once() {
    let w = world(scripted().with(
        "Sou desenvolvedor de software.",
        "Sou desenvolvedor de software.",
        PreferenceKind::Identity,
    ));
    let owner = UserId::generate();
    assert_eq!(w.turn(owner, DEV).await.1, vec![DEV.to_owned()]);
    assert!(w.turn(owner, DEV).await.1.is_empty());
    assert!(
        w.turn(owner, "Sou desenvolvedor de software.")
            .await
            .1
            .is_empty()
    );
    assert_eq!(w.active(owner).await, vec![DEV.to_owned()]);
}

#[tokio::test]
async fn the_newest_of_contradicting_statements_wins() {
    let w = world(scripted());
    let owner = UserId::generate();
    for text in [
        FORMAL,
        "moro em Curitiba",
        "tenho dois filhos",
        "gosto de café",
        "prefiro respostas curtas",
    ] {
        w.turn(owner, text).await;
    }
    for text in [
        INFORMAL,
        "moro em Lisboa agora",
        "não gosto de café",
        "give me long detailed answers",
    ] {
        assert_eq!(w.turn(owner, text).await.1.len(), 1, "{text}");
    }
    assert_eq!(
        w.active(owner).await,
        vec![
            INFORMAL.to_owned(),
            "give me long detailed answers".to_owned(),
            "moro em Lisboa".to_owned(),
            "não gosto de café".to_owned(),
            "tenho dois filhos".to_owned(),
        ]
    );
    let (used, _) = w.turn(owner, "quanto é 17 vezes 23?").await;
    assert!(
        used.contains(&INFORMAL.to_owned()) && !used.contains(&FORMAL.to_owned()),
        "{used:?}"
    );
}

#[tokio::test]
async fn distinct_facts_of_one_kind_both_stay() {
    let w = world(scripted());
    let owner = UserId::generate();
    w.turn(owner, "moro em Curitiba").await;
    w.turn(owner, "tenho dois filhos").await;
    w.turn(owner, FORMAL).await;
    w.turn(owner, "prefiro respostas curtas").await;
    assert_eq!(
        w.active(owner).await,
        vec![
            FORMAL.to_owned(),
            "moro em Curitiba".to_owned(),
            "prefiro respostas curtas".to_owned(),
            "tenho dois filhos".to_owned(),
        ]
    );
}

#[tokio::test]
async fn without_embeddings_nothing_is_recalled_or_saved_and_it_recovers() {
    let w = world(scripted());
    let owner = UserId::generate();
    w.turn(owner, FORMAL).await;
    w.embedder.set_down(true);
    let (used, saved) = w.turn(owner, DEV).await;
    assert!(used.is_empty() && saved.is_empty(), "{used:?} {saved:?}");
    assert_eq!(w.active(owner).await, vec![FORMAL.to_owned()]);
    let added = w.memory.add(owner, "moro em Curitiba", None).await;
    assert!(matches!(added, Err(MemoryError::Service(_))), "{added:?}");
    w.embedder.set_down(false);
    let (used, saved) = w.turn(owner, DEV).await;
    assert_eq!(
        (used, saved),
        (vec![FORMAL.to_owned()], vec![DEV.to_owned()])
    );
}

#[tokio::test]
async fn a_deleted_preference_is_never_used_again() {
    let w = world(scripted());
    let owner = UserId::generate();
    w.turn(owner, FORMAL).await;
    w.turn(owner, DEV).await;
    let formal = w
        .memory
        .list(owner)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.text.as_str() == FORMAL)
        .unwrap();
    w.memory.delete(owner, formal.id).await.unwrap();
    for text in [
        "quanto é 17 vezes 23?",
        "fale comigo de maneira formal sobre software",
        FORMAL,
    ] {
        let (used, _) = w.turn(owner, text).await;
        assert!(!used.contains(&FORMAL.to_owned()), "{text}: {used:?}");
    }
    // Said again, it is remembered anew — the deletion did not block the statement.
    assert!(w.active(owner).await.contains(&FORMAL.to_owned()));
    assert!(matches!(
        w.memory.delete(owner, formal.id).await,
        Err(MemoryError::NotFound)
    ));
}

#[tokio::test]
async fn another_user_never_gets_or_touches_the_preferences() {
    let w = world(scripted());
    let (alice, bob) = (UserId::generate(), UserId::generate());
    w.turn(alice, FORMAL).await;
    w.turn(alice, DEV).await;
    let (used, _) = w
        .turn(bob, "sou desenvolvedor? fale comigo de maneira formal?")
        .await;
    assert!(used.is_empty(), "{used:?}");
    assert!(w.active(bob).await.is_empty());
    let id = w.memory.list(alice).await.unwrap()[0].id;
    assert!(matches!(
        w.memory.delete(bob, id).await,
        Err(MemoryError::NotFound)
    ));
    assert!(matches!(
        w.memory.edit(bob, id, "hacked", None).await,
        Err(MemoryError::NotFound)
    ));
    assert_eq!(
        w.active(alice).await,
        vec![FORMAL.to_owned(), DEV.to_owned()]
    );
}

#[tokio::test]
async fn users_add_edit_and_validate_statements() {
    let w = world(scripted());
    let owner = UserId::generate();
    let added = w.memory.add(owner, FORMAL, None).await.unwrap();
    assert_eq!(added.kind, PreferenceKind::Style, "kind from the detector");
    let again = w.memory.add(owner, FORMAL, None).await.unwrap();
    assert_eq!(again.id, added.id, "the same statement is not stored twice");
    let other = w
        .memory
        .add(owner, "gosto de jazz", Some("preference"))
        .await
        .unwrap();
    assert_eq!(other.kind, PreferenceKind::Preference);
    assert!(matches!(
        w.memory.add(owner, "  ", None).await,
        Err(MemoryError::Validation(_))
    ));
    let long = "a".repeat(PreferenceText::MAX_CHARS + 1);
    assert!(matches!(
        w.memory.add(owner, &long, None).await,
        Err(MemoryError::Validation(_))
    ));
    assert!(matches!(
        w.memory.add(owner, "x", Some("mood")).await,
        Err(MemoryError::Validation(_))
    ));
    let edited = w
        .memory
        .edit(owner, other.id, "gosto de rock", None)
        .await
        .unwrap();
    assert_eq!(
        (edited.text.as_str(), edited.kind),
        ("gosto de rock", PreferenceKind::Preference)
    );
    let unknown = polychat_domain::PreferenceId::generate();
    assert!(matches!(
        w.memory.edit(owner, unknown, "x", None).await,
        Err(MemoryError::NotFound)
    ));
}
