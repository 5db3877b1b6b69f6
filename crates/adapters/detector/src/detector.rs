//! The [`PreferenceDetector`] port: the model decides whether and what kind, the
//! extractor picks the statements.

use polychat_domain::ports::{DetectedPreference, PreferenceDetector};
use polychat_domain::{Embedding, PreferenceKind};

use crate::extract::statements;
use crate::features::{FEATURE_COUNT, features};
use crate::model::{Model, ModelError};

/// The model's verdict on one prompt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Assessment {
    pub remember: bool,
    /// Probability of `remember` (the blend of both models with an embedding, the
    /// rules-only model without), compared with its cross-validated threshold.
    pub probability: f64,
    /// The most likely kind of the main statement (meaningful when `remember`).
    pub kind: PreferenceKind,
    /// False when the rules-only model was used (no embedding, or a wrong-sized one).
    pub used_embedding: bool,
}

/// Detects durable statements about the user from the prompt and its query embedding
/// (multilingual-e5-small, 384 dims). Pure CPU, no I/O; well under a millisecond.
///
/// Without an embedding it falls back to a logistic regression over the rule features
/// alone, which is less accurate (see docs/memory-detector.md).
#[derive(Debug, Clone)]
pub struct Detector {
    model: Model,
}

impl Detector {
    /// The detector with the weights compiled into the crate.
    pub fn new() -> Result<Self, ModelError> {
        Ok(Self {
            model: Model::embedded()?,
        })
    }

    /// The length of the query embeddings the model was trained on.
    pub fn dimensions(&self) -> usize {
        self.model.dimensions
    }

    /// The rule features of a prompt, as the model sees them.
    pub(crate) fn rule_features(&self, prompt: &str) -> [f64; FEATURE_COUNT] {
        features(prompt, &self.model.lexicon, &self.model.sarcasm_raw)
    }

    pub(crate) fn assess(&self, prompt: &str, embedding: Option<&Embedding>) -> Assessment {
        let rules = self.rule_features(prompt);
        let embedding = embedding.filter(|e| e.dimensions() == self.model.dimensions);
        let Some(e) = embedding else {
            let pair = &self.model.rules_only;
            let probability = pair.remember_probability(&rules);
            return Assessment {
                remember: probability >= pair.threshold,
                probability,
                kind: self.model.kinds[pair.kind_index(&rules)],
                used_embedding: false,
            };
        };
        let mut input = Vec::with_capacity(self.model.dimensions + FEATURE_COUNT);
        input.extend(e.as_slice().iter().map(|&v| f64::from(v)));
        input.extend_from_slice(&rules);
        let blend = self.model.blend;
        let probability = blend.probability(
            self.model.full.remember_logit(&input),
            self.model.rules_only.remember_logit(&rules),
        );
        Assessment {
            remember: probability >= blend.threshold,
            probability,
            kind: self.model.kinds[self.model.full.kind_index(&input)],
            used_embedding: true,
        }
    }
}

impl PreferenceDetector for Detector {
    fn detect(
        &self,
        prompt: &str,
        prompt_embedding: Option<&Embedding>,
    ) -> Vec<DetectedPreference> {
        if prompt.trim().is_empty() {
            return Vec::new();
        }
        let assessment = self.assess(prompt, prompt_embedding);
        if !assessment.remember {
            return Vec::new();
        }
        statements(prompt, assessment.kind, &self.model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by train.py from the rounded weights it exported.
    const FIXTURE: &str = include_str!("../tests/fixtures/python.json");

    #[derive(serde::Deserialize)]
    struct Case {
        prompt: String,
        embedding: Vec<f32>,
        features: Vec<f64>,
        p_remember: f64,
        kind: String,
        p_remember_rules: f64,
        kind_rules: String,
    }

    #[test]
    fn python_fixture_agrees() {
        let detector = Detector::new().expect("weights load");
        let cases: Vec<Case> = serde_json::from_str(FIXTURE).expect("fixture parses");
        assert!(cases.len() >= 5);
        for case in cases {
            let rules = detector.rule_features(&case.prompt);
            for (i, (rust, python)) in rules.iter().zip(&case.features).enumerate() {
                assert!(
                    (rust - python).abs() < 1e-9,
                    "feature {i} of {:?}",
                    case.prompt
                );
            }
            let embedding = Embedding::new(case.embedding);
            let full = detector.assess(&case.prompt, Some(&embedding));
            assert!(full.used_embedding);
            // f32 embeddings against Python's f64: agreement to well below any threshold.
            assert!(
                (full.probability - case.p_remember).abs() < 1e-4,
                "{:?}: rust {} python {}",
                case.prompt,
                full.probability,
                case.p_remember
            );
            assert_eq!(full.kind.as_str(), case.kind, "{:?}", case.prompt);
            let rules_only = detector.assess(&case.prompt, None);
            assert!(!rules_only.used_embedding);
            assert!((rules_only.probability - case.p_remember_rules).abs() < 1e-9);
            assert_eq!(rules_only.kind.as_str(), case.kind_rules);
        }
    }

    #[test]
    fn wrong_sized_embedding_falls_back_to_rules() {
        let detector = Detector::new().expect("weights load");
        let short = Embedding::new(vec![0.1; 8]);
        let prompt = "Sou advogada trabalhista em Porto Alegre.";
        assert_eq!(
            detector.assess(prompt, Some(&short)),
            detector.assess(prompt, None)
        );
    }

    #[test]
    fn blank_prompt_gives_nothing() {
        let detector = Detector::new().expect("weights load");
        assert!(detector.detect("   \n", None).is_empty());
    }

    #[test]
    fn rules_only_fallback_handles_clear_cases() {
        let detector = Detector::new().expect("weights load");
        let found = detector.detect(
            "Sou enfermeiro e moro em Belém. Me ajuda com uma receita?",
            None,
        );
        assert_eq!(
            found.first().map(|d| d.text.as_str()),
            Some("Sou enfermeiro e moro em Belém")
        );
        assert!(
            detector
                .detect("Meu irmão é advogado. Quanto ganha um juiz?", None)
                .is_empty()
        );
        assert!(
            detector
                .detect("If I were a pilot, how much would I earn?", None)
                .is_empty()
        );
    }
}
