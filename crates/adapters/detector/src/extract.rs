//! Statement extraction: which sentence or clause of a prompt to keep once the model
//! has decided there is something to remember.
//!
//! The prompt is cut into sentences (. ! ? ; : dashes, new lines) and sentences into
//! clauses at a comma that opens a task or question ("Sou X, me ajuda a...") and at
//! a contrast ("mas", "but", "pero") or "e / and / y" before a new subject or a time
//! word ("Sou X e hoje tô..."), never
//! inside quotes or code. Each clause is scored with the same rule features as the
//! model; the best one is the main statement, and other clear first-person clauses
//! follow it.

use polychat_domain::ports::DetectedPreference;
use polychat_domain::{PreferenceKind, PreferenceText};

use crate::features::{
    CLAUSE_WORDS, CONJUNCTION_NEXT, CONJUNCTIONS, FEATURE_COUNT, features, joint_subject, tokens,
};
use crate::model::Model;
use crate::split::split_outside;

/// At most this many statements per prompt: the main one and two more.
const MAX_STATEMENTS: usize = 3;

/// Words that, right after a comma, start a task, a question or a new statement.
const CLAUSE_OPENERS: &[&str] = &[
    "me ajuda",
    "me ajude",
    "pode",
    "poderia",
    "me da",
    "me de",
    "me sugere",
    "me sugira",
    "me indica",
    "me explica",
    "me passa",
    "me conta",
    "me fala",
    "me diz",
    "me manda",
    "crie",
    "cria",
    "monta",
    "monte",
    "faz",
    "faca",
    "escreve",
    "escreva",
    "qual",
    "quais",
    "como",
    "o que",
    "onde",
    "quando",
    "quanto",
    "entao",
    "por isso",
    "sera",
    "alguma",
    "ideias",
    "dicas",
    "tem",
    "sou",
    "mas",
    "can you",
    "could you",
    "would you",
    "what",
    "how",
    "which",
    "where",
    "when",
    "any",
    "help",
    "please",
    "so",
    "give me",
    "recommend",
    "suggest",
    "tell me",
    "write",
    "i m",
    "but",
    "is it",
    "should",
    "me ayudas",
    "ayudame",
    "puedes",
    "podrias",
    "que",
    "cual",
    "cuales",
    "donde",
    "cuanto",
    "dame",
    "recomiendame",
    "sugiereme",
    "asi que",
    "entonces",
    "soy",
    "pero",
    "hay",
    "algun",
    "necesito",
];

/// After "e / and / y", a request starts a new clause too ("Sou perito e preciso de…").
const REQUEST_NEXT: &[&str] = &[
    "quero", "queria", "preciso", "gostaria", "want", "need", "would", "quiero", "necesito",
    "quisiera",
];

// Positions in the rule feature vector (see `feature_names` in the weights).
const BE_AFFIRM: usize = 0;
const BE_NEGATED: usize = 1;
const FP_FACT: usize = 2;
const FP_TASTE: usize = 3;
const HYPOTHETICAL: usize = 5;
const ROLEPLAY: usize = 6;
const WISH: usize = 7;
const THIRD_PERSON: usize = 9;
const WITH_USER: usize = 10;
const ONE_OFF: usize = 11;
const STANDING: usize = 12;
const ANSWER_STYLE: usize = 13;
const TEMPORARY: usize = 14;
const SARCASM: usize = 15;
const PASSING: usize = 18;
const FP_WORDS: usize = 20;
const QUESTION: usize = 24;
const WE: usize = 28;
const CLAUSE_CLEAN: usize = 30;

/// The statements to keep, main one first with `kind`; never empty for a non-blank prompt.
pub(crate) fn statements(
    prompt: &str,
    kind: PreferenceKind,
    model: &Model,
) -> Vec<DetectedPreference> {
    let clauses = clauses(prompt);
    let scored: Vec<(String, [f64; FEATURE_COUNT])> = clauses
        .into_iter()
        .map(|c| {
            let f = features(&c, &model.lexicon, &model.sarcasm_raw);
            (c, f)
        })
        .collect();
    let style = kind == PreferenceKind::Style;
    let main = scored
        .iter()
        .enumerate()
        .map(|(i, (_, f))| (i, score(f, style)))
        .fold(None::<(usize, f64)>, |best, (i, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((i, s)),
        });
    let Some((main_index, main_score)) = main else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Without a clear statement, the prompt is kept, but never the code or quotes in it.
    let main_text = if main_score > 0.0 {
        scored[main_index].0.clone()
    } else {
        outside_text(prompt)
    };
    push(&mut out, &main_text, kind);
    if main_score <= 0.0 {
        return out;
    }
    for (i, (text, f)) in scored.iter().enumerate() {
        if out.len() >= MAX_STATEMENTS {
            break;
        }
        if i != main_index && is_clear_statement(f) {
            let extra_kind = model.kinds[model.rules_only.kind_index(f)];
            push(&mut out, text, extra_kind);
        }
    }
    out
}

/// The prompt without its code and quotes, with runs of white space collapsed.
fn outside_text(prompt: &str) -> String {
    let outside = split_outside(prompt).outside;
    let words: Vec<&str> = outside.split_whitespace().collect();
    if words.is_empty() {
        prompt.to_owned()
    } else {
        words.join(" ")
    }
}

fn push(out: &mut Vec<DetectedPreference>, text: &str, kind: PreferenceKind) {
    let truncated: String = text
        .trim_end_matches(['?', ' '])
        .trim()
        .chars()
        .take(PreferenceText::MAX_CHARS)
        .collect();
    if let Ok(text) = PreferenceText::parse(&truncated) {
        out.push(DetectedPreference { text, kind });
    }
}

fn rejected(f: &[f64; FEATURE_COUNT]) -> bool {
    [HYPOTHETICAL, ROLEPLAY, WISH, SARCASM, PASSING]
        .iter()
        .any(|&i| f[i] > 0.0)
}

/// How much a clause looks like a durable statement of the kind in hand.
fn score(f: &[f64; FEATURE_COUNT], style: bool) -> f64 {
    if rejected(f) {
        return f64::NEG_INFINITY;
    }
    let first_person = 2.0 * f[BE_AFFIRM]
        + f[FP_FACT]
        + f[FP_TASTE]
        + f[WITH_USER]
        + f[WE]
        + f[FP_WORDS]
        + f[CLAUSE_CLEAN];
    let mut s = if style {
        2.0 * f[STANDING] + 3.0 * f[ANSWER_STYLE] + 0.5 * first_person
    } else {
        first_person
    };
    if f[THIRD_PERSON] > 0.0 && f[WITH_USER] + f[WE] == 0.0 {
        s -= 1.5;
    }
    if f[BE_NEGATED] > 0.0 && f[BE_AFFIRM] == 0.0 {
        s -= 2.0;
    }
    // A temporary state beside a durable fact is the weaker statement.
    s - f[QUESTION] - 2.0 * f[TEMPORARY] - 2.0 * f[ONE_OFF]
}

/// A further clause worth keeping: plainly about the user and not undermined.
fn is_clear_statement(f: &[f64; FEATURE_COUNT]) -> bool {
    let core = f[BE_AFFIRM] + f[FP_FACT] + f[FP_TASTE] + f[WITH_USER];
    let undermined = f[THIRD_PERSON] + f[QUESTION] + f[TEMPORARY] + f[ONE_OFF] + f[BE_NEGATED];
    !rejected(f) && core >= 1.0 && undermined == 0.0
}

/// Sentences, then clauses, trimmed, without the empty ones.
pub(crate) fn clauses(prompt: &str) -> Vec<String> {
    let chars: Vec<char> = prompt.chars().collect();
    let masked = split_outside(prompt).masked;
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || (!masked[i] && ends_piece(&chars, i)) {
            // A question keeps its "?", so that its clause is scored as one.
            let end = if chars.get(i) == Some(&'?') { i + 1 } else { i };
            let piece: String = chars[start..end].iter().collect();
            let piece_mask = &masked[start..end];
            out.extend(split_clauses(&piece, piece_mask));
            start = (i + 1).min(chars.len());
        }
    }
    out.into_iter()
        .map(|c| {
            c.trim_matches(|ch: char| ch.is_whitespace() || ",-—:".contains(ch))
                .to_owned()
        })
        .filter(|c| c.chars().any(char::is_alphanumeric))
        .collect()
}

fn ends_piece(chars: &[char], i: usize) -> bool {
    let next_is_space = chars.get(i + 1).is_none_or(|c| c.is_whitespace());
    match chars[i] {
        '\n' | ';' | '!' | '?' | '—' | '¿' | '¡' => true,
        // "R$ 1.234,56" and "v2.0" are not sentence ends.
        '.' | ':' => next_is_space,
        '-' => next_is_space && i > 0 && chars[i - 1].is_whitespace(),
        _ => false,
    }
}

fn split_clauses(sentence: &str, masked: &[bool]) -> Vec<String> {
    let chars: Vec<char> = sentence.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if i < start || masked[i] {
            continue;
        }
        if c == ',' && opens_clause(&chars[i + 1..]) {
            out.push(chars[start..i].iter().collect());
            start = i + 1;
        } else if let Some(skip) = conjunction_clause(&chars[start..i], &chars[i..]) {
            out.push(chars[start..i].iter().collect());
            start = i + skip;
        }
    }
    out.push(chars[start..].iter().collect());
    out
}

/// At a space followed by a contrast ("mas", "but", "pero"…), or by "e / and / y" and a
/// new subject or time word: the length of the space and that word.
fn conjunction_clause(before: &[char], rest: &[char]) -> Option<usize> {
    if !rest.first().is_some_and(|c| c.is_whitespace()) {
        return None;
    }
    let word_len = rest[1..].iter().take_while(|c| c.is_alphanumeric()).count();
    if word_len == 0 || word_len > 8 || !rest.get(1 + word_len).is_some_and(|c| c.is_whitespace()) {
        return None;
    }
    let head: String = rest.iter().take(1 + word_len + 12).collect();
    let words = tokens(&head);
    let first = words.first().map(String::as_str).unwrap_or_default();
    // A plural subject is a few words long: looking at most 64 characters back keeps this
    // linear in the prompt.
    let joint = |next: &str| {
        before.len() <= 64 && joint_subject(&tokens(&before.iter().collect::<String>()), next)
    };
    let next_opens = words.get(1).is_some_and(|w| {
        (CONJUNCTION_NEXT.contains(&w.as_str()) && !joint(w)) || REQUEST_NEXT.contains(&w.as_str())
    });
    let opens = CLAUSE_WORDS.contains(&first) || (CONJUNCTIONS.contains(&first) && next_opens);
    opens.then_some(1 + word_len)
}

fn opens_clause(rest: &[char]) -> bool {
    let head: String = rest.iter().take(24).collect();
    let words = tokens(&head);
    CLAUSE_OPENERS.iter().any(|opener| {
        let parts: Vec<&str> = opener.split(' ').collect();
        words.len() >= parts.len() && parts.iter().zip(&words).all(|(p, w)| p == w)
    })
}

#[cfg(test)]
#[path = "extract_tests.rs"]
mod tests;
