//! Which remembered statements a new one replaces although embeddings call them
//! distinct.
//!
//! e5 similarities between short statements are compressed: "fale comigo de maneira
//! formal" vs "…informal" scores 0.976, "I prefer short answers" vs "give me long
//! detailed answers" 0.871, while distinct facts such as "gosto de café" / "gosto de
//! chá" score 0.955 (figures in `docs/memory-detector.md`). No similarity threshold
//! separates updates from distinct facts, so a threshold only catches rewordings and
//! these rules catch the contradictions: two style instructions about the same aspect
//! of the answers, two statements of where the user lives, and a statement and its
//! negation.

use std::collections::BTreeSet;

use crate::PreferenceKind;

/// One thing a statement says about the user that can only have one value at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Aspect {
    Formality,
    Length,
    Language,
    Emoji,
    Layout,
    Residence,
}

/// Word stems (accent-folded, lower case) that name an aspect of how to answer.
const STYLE_STEMS: &[(Aspect, &[&str])] = &[
    (
        Aspect::Formality,
        &[
            "formal",
            "informal",
            "casual",
            "descontraid",
            "usted",
            "tutea",
            "tuteo",
            "polite",
        ],
    ),
    (
        Aspect::Length,
        &[
            "curt", "long", "short", "brief", "breve", "concis", "detalhad", "detallad",
            "detailed", "resumid", "extens", "sucint", "verbose",
        ],
    ),
    (
        Aspect::Language,
        &[
            "ingles",
            "english",
            "portugues",
            "portuguese",
            "espanhol",
            "espanol",
            "spanish",
            "castellano",
            "frances",
            "french",
            "alem",
            "german",
            "italian",
        ],
    ),
    (Aspect::Emoji, &["emoji"]),
    (
        Aspect::Layout,
        &[
            "topico", "bullet", "vineta", "markdown", "tabela", "tabla", "table",
        ],
    ),
];

/// Whole words that only name an aspect on their own ("háblame de tú").
const STYLE_WORDS: &[(Aspect, &[&str])] = &[(Aspect::Formality, &["tu"])];

/// Word pairs that state where the user lives now (any kind).
const RESIDENCE: &[(&str, &[&str])] = &[
    ("moro", &["em", "no", "na", "nos", "nas"]),
    ("vivo", &["em", "no", "na", "en"]),
    ("resido", &["em", "en"]),
    ("live", &["in"]),
    ("mudei", &["para", "pra"]),
    ("moved", &["to"]),
    ("mude", &["a"]),
];

/// Words that negate a statement; a statement without them is its opposite.
const NEGATIONS: &[&str] = &[
    "nao", "not", "dont", "don't", "no", "nunca", "never", "jamais", "jamas",
];

fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

/// Lower-cased, accent-folded words (apostrophes kept, so "don't" is one word).
pub(super) fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .chars()
        .map(fold)
        .collect::<String>()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The single-valued aspects a statement of `kind` is about.
pub(super) fn aspects(text: &str, kind: PreferenceKind) -> BTreeSet<Aspect> {
    let words = words(text);
    let mut found = BTreeSet::new();
    if kind == PreferenceKind::Style {
        for word in &words {
            for (aspect, stems) in STYLE_STEMS {
                if stems.iter().any(|stem| word.starts_with(stem)) {
                    found.insert(*aspect);
                }
            }
            for (aspect, whole) in STYLE_WORDS {
                if whole.contains(&word.as_str()) {
                    found.insert(*aspect);
                }
            }
        }
    }
    let residence = words.windows(2).any(|pair| {
        RESIDENCE
            .iter()
            .any(|(verb, next)| pair[0] == *verb && next.contains(&pair[1].as_str()))
    });
    if residence {
        found.insert(Aspect::Residence);
    }
    found
}

/// The statement without its negations, when it has any; two statements with the same
/// key of which exactly one is negated contradict each other.
pub(super) fn negation_key(text: &str) -> (String, bool) {
    let words = words(text);
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !NEGATIONS.contains(w))
        .collect();
    let negated = kept.len() != words.len();
    (kept.join(" "), negated)
}

/// Whether `new` (of `new_kind`) replaces the active statement `old` (of `old_kind`).
pub(super) fn contradicts(
    new: &str,
    new_kind: PreferenceKind,
    old: &str,
    old_kind: PreferenceKind,
) -> bool {
    let (new_key, new_negated) = negation_key(new);
    let (old_key, old_negated) = negation_key(old);
    if new_negated != old_negated && new_key == old_key && !new_key.is_empty() {
        return true;
    }
    let shared = aspects(new, new_kind)
        .intersection(&aspects(old, old_kind))
        .count();
    shared > 0
}
