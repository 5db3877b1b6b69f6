//! Clear pt/en/es examples through the real embeddings: what is kept and what is not.

use polychat_detector::Detector;
use polychat_domain::PreferenceKind;
use polychat_domain::ports::PreferenceDetector;

use crate::embeddings::query_embeddings;

const CASES: &[(&str, Option<PreferenceKind>)] = &[
    (
        "sou desenvolvedor de software",
        Some(PreferenceKind::Identity),
    ),
    ("fale comigo de maneira formal", Some(PreferenceKind::Style)),
    ("meu irmão é advogado", None),
    ("se eu fosse médico, quanto ganharia em Recife?", None),
    (
        "I'm allergic to shellfish, what can I order at a sushi place?",
        Some(PreferenceKind::Fact),
    ),
    ("What's the tallest building in Dubai?", None),
    ("Pretend you're a pirate and tell me about your ship.", None),
    (
        "Soy hincha de River, ¿quién es su máximo goleador?",
        Some(PreferenceKind::Preference),
    ),
    (
        "Vivo en Rosario con mi pareja, ¿qué parque me recomiendas?",
        Some(PreferenceKind::Fact),
    ),
    ("Traduce al inglés: 'Soy arquitecta y vivo en Quito.'", None),
    ("Responde essa em tópicos: o que é inflação?", None),
    (
        "From now on, always answer in Spanish please.",
        Some(PreferenceKind::Style),
    ),
];

/// Detected, but with another kind, by the shipped weights (a regression of the #14
/// retraining, docs/memory-detector.md): fails when it is fixed, so the list stays exact.
const KNOWN_WRONG_KIND: &[&str] = &[];

#[tokio::test]
async fn clear_examples_are_detected_with_their_kind() {
    let detector = Detector::new().expect("weights load");
    let prompts: Vec<&str> = CASES.iter().map(|(p, _)| *p).collect();
    let embeddings = query_embeddings(&prompts).await;
    assert_eq!(embeddings[0].dimensions(), detector.dimensions());
    for ((prompt, expected), embedding) in CASES.iter().zip(&embeddings) {
        let found = detector.detect(prompt, Some(embedding));
        let kind = found.first().map(|d| d.kind);
        assert_eq!(kind.is_some(), expected.is_some(), "{prompt}: {found:?}");
        if KNOWN_WRONG_KIND.contains(prompt) {
            assert_ne!(
                kind, *expected,
                "{prompt} is fixed: drop it from KNOWN_WRONG_KIND"
            );
        } else {
            assert_eq!(kind, *expected, "{prompt}: {found:?}");
        }
    }
}

#[tokio::test]
async fn the_task_part_is_not_kept() {
    let detector = Detector::new().expect("weights load");
    let prompt = "Sou fisioterapeuta, me ajuda a montar um treino de alongamento para idosos?";
    let embedding = query_embeddings(&[prompt]).await;
    let found = detector.detect(prompt, embedding.first());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].text.as_str(), "Sou fisioterapeuta");
    assert_eq!(found[0].kind, PreferenceKind::Identity);
}
