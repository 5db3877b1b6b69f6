//! Local, fast detection of durable user preferences in chat prompts.
//!
//! [`Detector`] implements the domain's `PreferenceDetector` port: two logistic
//! regressions over the prompt's multilingual-e5 query embedding plus rule features
//! (first person, negation, hypotheticals, third persons, one-off vs standing
//! instructions, quoted or pasted text, code) decide whether the prompt holds
//! something to remember and of which kind; the extractor then keeps the clause(s)
//! that carry it. Weights come from `train/train.py` and are compiled in.

mod detector;
mod extract;
mod features;
mod model;
mod split;

pub use detector::Detector;
pub use model::ModelError;
