//! The trained weights (`model/weights.json`, embedded at build time) and the two
//! linear models they hold: `remember` (logistic) and `kind` (softmax), over the
//! embedding and rule features and over the rule features alone, and the blend of the
//! two `remember` models used when the embedding is there.

use polychat_domain::PreferenceKind;
use serde::Deserialize;

use crate::features::{FEATURE_COUNT, Lexicon};

/// Written by `train/train.py`.
const WEIGHTS_JSON: &str = include_str!("../model/weights.json");

/// Why the embedded weights could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("the detector weights are not valid JSON: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("the detector weights have the wrong shape: {0}")]
    Shape(String),
    #[error("the detector weights name an unknown kind {0:?}")]
    UnknownKind(String),
}

#[derive(Debug, Clone, Deserialize)]
struct Binary {
    weights: Vec<f64>,
    bias: f64,
}

#[derive(Debug, Clone, Deserialize)]
struct Multi {
    weights: Vec<Vec<f64>>,
    bias: Vec<f64>,
}

/// A `remember` model with its cross-validated threshold, and its `kind` model.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LinearPair {
    pub(crate) threshold: f64,
    remember: Binary,
    kind: Multi,
}

/// How the two `remember` models are combined when the embedding is there: a weighted
/// sum of their logits (cross-validated), so the embedding, which sees the topic of the
/// whole prompt, cannot outvote the clause rules alone.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct Blend {
    /// Weight of the full model's logit; the rules-only one gets `1 - alpha`.
    pub(crate) alpha: f64,
    pub(crate) threshold: f64,
}

impl Blend {
    /// Probability of `remember` from the two models' logits.
    pub(crate) fn probability(self, full_logit: f64, rules_logit: f64) -> f64 {
        let z = self.alpha * full_logit + (1.0 - self.alpha) * rules_logit;
        1.0 / (1.0 + (-z).exp())
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Stored {
    dimensions: usize,
    kinds: Vec<String>,
    feature_names: Vec<String>,
    lexicon: Lexicon,
    sarcasm_raw: Vec<String>,
    full: LinearPair,
    rules_only: LinearPair,
    blend: Blend,
}

/// Everything the detector learnt, checked for consistency once at start-up.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) dimensions: usize,
    pub(crate) kinds: Vec<PreferenceKind>,
    pub(crate) lexicon: Lexicon,
    pub(crate) sarcasm_raw: Vec<String>,
    /// Over `[embedding, rule features]`.
    pub(crate) full: LinearPair,
    /// Over the rule features alone, for prompts without an embedding.
    pub(crate) rules_only: LinearPair,
    /// The two `remember` models together, when the embedding is there.
    pub(crate) blend: Blend,
}

impl Model {
    /// The weights compiled into the crate.
    pub(crate) fn embedded() -> Result<Self, ModelError> {
        Self::from_json(WEIGHTS_JSON)
    }

    pub(crate) fn from_json(json: &str) -> Result<Self, ModelError> {
        let raw: Stored = serde_json::from_str(json)?;
        if raw.feature_names.len() != FEATURE_COUNT {
            return Err(ModelError::Shape(format!(
                "{} rule features, the code computes {FEATURE_COUNT}",
                raw.feature_names.len()
            )));
        }
        let kinds = raw
            .kinds
            .iter()
            .map(|k| PreferenceKind::parse(k).map_err(|_| ModelError::UnknownKind(k.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        raw.full
            .check("full", raw.dimensions + FEATURE_COUNT, kinds.len())?;
        raw.rules_only
            .check("rules_only", FEATURE_COUNT, kinds.len())?;
        Ok(Self {
            dimensions: raw.dimensions,
            kinds,
            lexicon: raw.lexicon,
            sarcasm_raw: raw.sarcasm_raw,
            full: raw.full,
            rules_only: raw.rules_only,
            blend: raw.blend,
        })
    }
}

impl LinearPair {
    fn check(&self, name: &str, inputs: usize, kinds: usize) -> Result<(), ModelError> {
        let kind_ok = self.kind.weights.len() == kinds
            && self.kind.bias.len() == kinds
            && self.kind.weights.iter().all(|row| row.len() == inputs);
        if self.remember.weights.len() != inputs || !kind_ok {
            return Err(ModelError::Shape(format!(
                "model {name} does not take {inputs} inputs into {kinds} kinds"
            )));
        }
        Ok(())
    }

    /// Log-odds that the input carries something to remember.
    pub(crate) fn remember_logit(&self, input: &[f64]) -> f64 {
        self.remember.bias + dot(&self.remember.weights, input)
    }

    /// Probability that the input carries something to remember.
    pub(crate) fn remember_probability(&self, input: &[f64]) -> f64 {
        1.0 / (1.0 + (-self.remember_logit(input)).exp())
    }

    /// Index (into `Model::kinds`) of the most likely kind.
    pub(crate) fn kind_index(&self, input: &[f64]) -> usize {
        let mut best = (0, f64::NEG_INFINITY);
        for (i, (row, bias)) in self.kind.weights.iter().zip(&self.kind.bias).enumerate() {
            let z = bias + dot(row, input);
            if z > best.1 {
                best = (i, z);
            }
        }
        best.0
    }
}

fn dot(weights: &[f64], input: &[f64]) -> f64 {
    weights.iter().zip(input).map(|(w, x)| w * x).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_weights_load_with_consistent_shapes() {
        let model = Model::embedded().expect("weights load");
        assert_eq!(model.dimensions, 384);
        assert_eq!(model.kinds, PreferenceKind::ALL.to_vec());
        assert!((0.0..1.0).contains(&model.full.threshold));
        assert!((0.0..1.0).contains(&model.rules_only.threshold));
        assert!((0.0..=1.0).contains(&model.blend.alpha));
        assert!((0.0..1.0).contains(&model.blend.threshold));
        let zeros = vec![0.0; model.dimensions + FEATURE_COUNT];
        let p = model.full.remember_probability(&zeros);
        assert!(p > 0.0 && p < 1.0);
    }

    #[test]
    fn weights_with_a_wrong_shape_are_rejected() {
        let mut json: serde_json::Value =
            serde_json::from_str(WEIGHTS_JSON).expect("weights are json");
        json["full"]["remember"]["weights"] = serde_json::json!([1.0, 2.0]);
        let err = Model::from_json(&json.to_string()).expect_err("shape is checked");
        assert!(matches!(err, ModelError::Shape(_)), "{err}");
        json["kinds"] = serde_json::json!(["identity", "mood", "preference", "fact"]);
        assert!(Model::from_json(&json.to_string()).is_err());
    }
}
