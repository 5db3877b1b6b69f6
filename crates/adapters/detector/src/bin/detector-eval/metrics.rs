//! Scores of the detector on a labelled set: precision, recall and F1 of `remember`,
//! kind accuracy over the true positives, overall and per language, and timings.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

/// The detector's answer for one labelled prompt.
pub(crate) struct Outcome {
    pub(crate) lang: String,
    /// `None` when the set has no label (predictions only).
    pub(crate) gold: Option<bool>,
    pub(crate) gold_kind: Option<String>,
    pub(crate) predicted: bool,
    pub(crate) predicted_kind: Option<String>,
    pub(crate) elapsed: Duration,
}

#[derive(Default)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
    tn: u32,
    kind_hits: u32,
}

impl Counts {
    fn add(&mut self, o: &Outcome) {
        match (o.gold, o.predicted) {
            (Some(true), true) => {
                self.tp += 1;
                if o.gold_kind == o.predicted_kind {
                    self.kind_hits += 1;
                }
            }
            (Some(false), true) => self.fp += 1,
            (Some(true), false) => self.fn_ += 1,
            (Some(false), false) => self.tn += 1,
            (None, _) => {}
        }
    }

    fn line(&self, name: &str) -> String {
        let ratio = |a: u32, b: u32| {
            if b == 0 {
                0.0
            } else {
                f64::from(a) / f64::from(b)
            }
        };
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        let n = self.tp + self.fp + self.fn_ + self.tn;
        format!(
            "{name:<8} n={n:<4} precision {p:.3}  recall {r:.3}  F1 {f1:.3}  kind accuracy {:.3} ({}/{})  [tp {} fp {} fn {} tn {}]\n",
            ratio(self.kind_hits, self.tp),
            self.kind_hits,
            self.tp,
            self.tp,
            self.fp,
            self.fn_,
            self.tn
        )
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )] // an index into a short, non-empty list
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}

pub(crate) fn report(outcomes: &[Outcome], rules_only: bool) -> String {
    let mut all = Counts::default();
    let mut by_lang: BTreeMap<&str, Counts> = BTreeMap::new();
    for o in outcomes {
        all.add(o);
        by_lang.entry(o.lang.as_str()).or_default().add(o);
    }
    let mut out = String::new();
    let mode = if rules_only {
        "rules only (no embedding)"
    } else {
        "embedding + rules"
    };
    let _ = writeln!(
        out,
        "preference detector, {mode}: remember = positive class"
    );
    out.push_str(&all.line("all"));
    for (lang, counts) in &by_lang {
        out.push_str(&counts.line(lang));
    }
    let mut times: Vec<Duration> = outcomes.iter().map(|o| o.elapsed).collect();
    times.sort();
    let _ = writeln!(
        out,
        "detection time (without the embedding call): p50 {:?}  p99 {:?}",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    out
}
