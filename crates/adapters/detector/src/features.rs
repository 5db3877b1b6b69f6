//! Rule features of a prompt: accent folding, tokens, and phrase counts over the text
//! outside quotes and code (see `split`), with the lexicon the model was trained with.
//!
//! This is a line-by-line mirror of `train/features.py`; the model's weights are only
//! meaningful if both compute the same numbers (checked by `python_fixture_agrees`).

use std::collections::HashMap;

use serde::Deserialize;

use crate::split::split_outside;

/// How many rule features [`features`] returns (`feature_names` in the weights).
pub(crate) const FEATURE_COUNT: usize = 40;

/// Phrases already split into folded tokens by the training script, indexed by their
/// first token so counting is linear in the prompt's length.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Vec<Vec<String>>")]
pub(crate) struct Phrases {
    by_first: HashMap<String, Vec<Vec<String>>>,
}

impl From<Vec<Vec<String>>> for Phrases {
    fn from(phrases: Vec<Vec<String>>) -> Self {
        let mut by_first: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for phrase in phrases {
            if let Some(first) = phrase.first() {
                by_first.entry(first.clone()).or_default().push(phrase);
            }
        }
        Self { by_first }
    }
}

/// The phrase lists of every rule feature.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Lexicon {
    pub(crate) be: Phrases,
    pub(crate) be_negated: Phrases,
    pub(crate) fp_fact: Phrases,
    pub(crate) fp_taste: Phrases,
    pub(crate) negated_fact: Phrases,
    pub(crate) hypothetical: Phrases,
    pub(crate) roleplay: Phrases,
    pub(crate) wish: Phrases,
    pub(crate) should: Phrases,
    pub(crate) third_person: Phrases,
    pub(crate) with_user: Phrases,
    pub(crate) one_off: Phrases,
    pub(crate) standing: Phrases,
    pub(crate) answer_style: Phrases,
    pub(crate) temporary: Phrases,
    pub(crate) sarcasm: Phrases,
    pub(crate) pasted_task: Phrases,
    pub(crate) fiction: Phrases,
    pub(crate) passing: Phrases,
    pub(crate) duration: Phrases,
    pub(crate) first_person_words: Phrases,
    pub(crate) remember: Phrases,
    pub(crate) stop: Phrases,
    pub(crate) we: Phrases,
    pub(crate) laugh: Phrases,
    pub(crate) possessive: Phrases,
    pub(crate) ignorance: Phrases,
    pub(crate) own_possessive: Phrases,
    pub(crate) fp_state: Phrases,
    pub(crate) remind: Phrases,
    pub(crate) i_not_verb: Phrases,
    pub(crate) romance_not_verb: Phrases,
}

const FOLD_FROM: &str = "áàâãäéèêëíìîïóòôõöúùûüçñ";
const FOLD_TO: &str = "aaaaaeeeeiiiiooooouuuucn";

/// Lower-cases and strips the accents of pt/es letters, so "não" and "nao" match.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            FOLD_FROM
                .chars()
                .position(|f| f == c)
                .and_then(|i| FOLD_TO.chars().nth(i))
                .unwrap_or(c)
        })
        .collect()
}

/// Folded alphanumeric runs; "I'm" gives "i", "m".
pub(crate) fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Occurrences of every phrase as a contiguous run of tokens.
pub(crate) fn count(tokens: &[String], phrases: &Phrases) -> usize {
    (0..tokens.len())
        .map(|j| {
            phrases.by_first.get(&tokens[j]).map_or(0, |candidates| {
                candidates
                    .iter()
                    .filter(|p| tokens[j..].starts_with(p))
                    .count()
            })
        })
        .sum()
}

/// Index of the first token that starts one of `phrases`, or `tokens.len()`.
fn first_at(tokens: &[String], phrases: &Phrases) -> usize {
    (0..tokens.len())
        .find(|&j| {
            phrases
                .by_first
                .get(&tokens[j])
                .is_some_and(|candidates| candidates.iter().any(|p| tokens[j..].starts_with(p)))
        })
        .unwrap_or(tokens.len())
}

fn flag(on: bool) -> f64 {
    if on { 1.0 } else { 0.0 }
}

#[allow(clippy::cast_precision_loss)] // counts and lengths are far below 2^52
fn ratio(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64
}

/// Characters that end a clause.
const CLAUSE_CHARS: &[char] = &[
    '.', '!', '?', ';', ':', '\n', '(', ')', '\u{2014}', '\u{2013}', ',', '\u{bf}', '\u{a1}',
];
/// Tokens that open a contrasting clause ("…, mas eu…", "but I…").
pub(crate) const CLAUSE_WORDS: &[&str] = &[
    "mas", "but", "pero", "porem", "though", "however", "although", "embora", "aunque", "enquanto",
    "while", "whereas", "mientras",
];

/// "e / and / y" opens a new clause only before one of these (a new subject or a time
/// word: "sou advogada e hoje tô exausta"), so "eu e minha esposa" stays one subject.
pub(crate) const CONJUNCTIONS: &[&str] = &["e", "and", "y"];
pub(crate) const CONJUNCTION_NEXT: &[&str] = &[
    "hoje",
    "amanha",
    "ontem",
    "agora",
    "essa",
    "esta",
    "nessa",
    "nesta",
    "to",
    "estou",
    "tava",
    "estava",
    "acabei",
    "eu",
    "today",
    "tomorrow",
    "tonight",
    "yesterday",
    "right",
    "this",
    "i",
    "im",
    "hoy",
    "manana",
    "ayer",
    "ahora",
    "este",
    "estoy",
    "acabo",
    "yo",
    "meu",
    "minha",
    "meus",
    "minhas",
    "my",
    "mi",
    "mis",
    "ele",
    "ela",
    "eles",
    "elas",
    "he",
    "she",
    "they",
    "el",
    "ella",
    "ellos",
    "ellas",
];

/// …except in a plural subject: "meu irmão e eu somos…", "my husband and I foster…".
const PRONOUNS: &[&str] = &["eu", "i", "yo"];
const USER_PRONOUNS: &[&str] = &["eu", "i", "me", "yo"];
const SUBJECT_HEADS: &[&str] = &[
    "meu", "minha", "meus", "minhas", "my", "our", "mi", "mis", "nuestro", "nuestra", "o", "a",
    "the", "el", "la",
];

/// Subordinators: the clause they open presupposes a fact ("…given that I'm diabetic?"),
/// so it is cut from the question around it and does not ask.
const SUBORDINATORS: &[&[&str]] = &[
    &["given", "that"],
    &["ja", "que"],
    &["ya", "que"],
    &["dado", "que"],
    &["sendo", "que"],
    &["visto", "que"],
    &["puesto", "que"],
    &["porque"],
    &["pois"],
    &["because"],
    &["since"],
];

/// Length of the subordinator starting at `tokens[j]`, or 0.
fn subordinator_at(tokens: &[String], j: usize) -> usize {
    SUBORDINATORS
        .iter()
        .find(|s| {
            tokens.len() >= j + s.len() && s.iter().zip(&tokens[j..]).all(|(a, b)| *a == b.as_str())
        })
        .map_or(0, |s| s.len())
}

/// `part and I…` is one plural subject when `part` is a short "my X" / "o X".
pub(crate) fn joint_subject(part: &[String], next: &str) -> bool {
    if PRONOUNS.contains(&next) {
        return part.len() <= 3
            && part
                .first()
                .is_some_and(|head| SUBJECT_HEADS.contains(&head.as_str()));
    }
    // "eu e minha esposa…", "me and my brother…"
    part.len() == 1 && USER_PRONOUNS.contains(&part[0].as_str()) && SUBJECT_HEADS.contains(&next)
}

fn opens_clause(token: &str, part: &[String], next: Option<&String>) -> bool {
    CLAUSE_WORDS.contains(&token)
        || (CONJUNCTIONS.contains(&token)
            && next
                .is_some_and(|n| CONJUNCTION_NEXT.contains(&n.as_str()) && !joint_subject(part, n)))
}

/// One clause of the text outside quotes and code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause {
    pub(crate) tokens: Vec<String>,
    /// Ended by "?" or opened by "¿".
    pub(crate) question: bool,
}

/// The clauses of `outside` (text outside quotes and code).
pub(crate) fn clauses(outside: &str) -> Vec<Clause> {
    let mut pieces = Vec::new();
    let (mut start, mut opened) = (0, false);
    for (i, c) in outside.char_indices() {
        if CLAUSE_CHARS.contains(&c) {
            pieces.push((&outside[start..i], opened || c == '?'));
            start = i + c.len_utf8();
            opened = c == '\u{bf}';
        }
    }
    pieces.push((&outside[start..], opened));
    let mut result = Vec::new();
    for (piece, mut question) in pieces {
        let mut part = Vec::new();
        let toks = tokens(piece);
        let mut j = 0;
        while j < toks.len() {
            let sub = subordinator_at(&toks, j);
            if sub > 0 || opens_clause(&toks[j], &part, toks.get(j + 1)) {
                if !part.is_empty() {
                    result.push(Clause {
                        tokens: std::mem::take(&mut part),
                        question,
                    });
                }
                if sub > 0 {
                    question = false;
                }
                j += sub.max(1);
            } else {
                part.push(toks[j].clone());
                j += 1;
            }
        }
        if !part.is_empty() {
            result.push(Clause {
                tokens: part,
                question,
            });
        }
    }
    result
}

/// Whether a clause has the user as its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// No first-person marker.
    Other,
    /// The user in the first person (alone or in a plural subject) saying what they are,
    /// do, have or like.
    User,
    /// Only a first-person state ("tô gripado", "estoy cansada"): the user, but scoped.
    UserState,
}

/// What one clause says about its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClauseFlags {
    pub(crate) subject: Subject,
    /// Hypothetical, wish or plan, temporary, sarcastic, one-off, role-play, negated,
    /// ignorance, a state alone, or about someone else (a third person, or a possessive
    /// subject: "meu X", "my X", "mi X") without the user.
    pub(crate) scoped: bool,
    /// Names someone else.
    pub(crate) third_person: bool,
}

impl ClauseFlags {
    pub(crate) fn first_person(self) -> bool {
        self.subject != Subject::Other
    }
}

/// "I <verb>", "eu <verb>-o", "yo <verb>-o": a first-person verb outside the lists.
fn generic_first_person(tok: &[String], lex: &Lexicon) -> bool {
    tok.windows(2).any(|pair| {
        let (t, n) = (pair[0].as_str(), pair[1].as_str());
        (t == "i" && !lex.i_not_verb.by_first.contains_key(n) && !n.ends_with("ed"))
            || ((t == "eu" || t == "yo")
                && n.ends_with('o')
                && n.chars().count() > 2
                && !lex.romance_not_verb.by_first.contains_key(n))
    })
}

pub(crate) fn clause_flags(tok: &[String], lex: &Lexicon) -> ClauseFlags {
    let n = |phrases: &Phrases| count(tok, phrases);
    // "minha loja…", "my job…": the user's own business, home, pet or routine.
    let own = count(&tok[..tok.len().min(4)], &lex.own_possessive) > 0;
    let durable = n(&lex.be) > n(&lex.be_negated)
        || n(&lex.fp_fact) + n(&lex.fp_taste) + n(&lex.we) > 0
        || own
        || generic_first_person(tok, lex);
    // A state alone ("tô gripado") is the user too, but says nothing lasting.
    let state = n(&lex.fp_state) > 0 && !durable;
    // "meu nome é…" / "my name is…" is the user's own fact, not a possessive subject.
    let possessive =
        count(&tok[..tok.len().min(3)], &lex.possessive) > 0 && n(&lex.fp_fact) == 0 && !own;
    let third = n(&lex.third_person) > 0 || possessive;
    // "I live here with my partner": the user is the subject when named first.
    let user_first = durable
        && !possessive
        && [&lex.be, &lex.fp_fact, &lex.fp_taste, &lex.we]
            .iter()
            .map(|p| first_at(tok, p))
            .min()
            .unwrap_or(tok.len())
            < first_at(tok, &lex.third_person);
    let other = third && n(&lex.with_user) + n(&lex.we) == 0 && !user_first;
    let scoped = other
        || state
        || [
            &lex.hypothetical,
            &lex.wish,
            &lex.should,
            &lex.temporary,
            &lex.sarcasm,
            &lex.one_off,
            &lex.roleplay,
            &lex.negated_fact,
            &lex.be_negated,
            &lex.ignorance,
        ]
        .iter()
        .any(|p| n(p) > 0);
    ClauseFlags {
        subject: if durable {
            Subject::User
        } else if state {
            Subject::UserState
        } else {
            Subject::Other
        },
        scoped,
        third_person: third,
    }
}

/// The rule feature vector, in the `feature_names` order of the weights.
pub(crate) fn features(text: &str, lex: &Lexicon, sarcasm_raw: &[String]) -> [f64; FEATURE_COUNT] {
    let split = split_outside(text);
    let tok = tokens(&split.outside);
    let qtok = tokens(&split.inside);
    let has = |phrases: &Phrases| flag(count(&tok, phrases) > 0);
    let sarcasm = count(&tok, &lex.sarcasm) > 0 || sarcasm_raw.iter().any(|s| text.contains(s));
    let be_affirm = count(&tok, &lex.be) > count(&tok, &lex.be_negated);
    let fp_quote = count(&qtok, &lex.first_person_words) + count(&qtok, &lex.be);
    let question = split.outside.contains('?') || split.outside.contains('\u{bf}');
    let found = clauses(&split.outside);
    let flags: Vec<ClauseFlags> = found.iter().map(|c| clause_flags(&c.tokens, lex)).collect();
    // A first-person verb in a question ("que bolo eu faço?") asks, it does not state.
    let clean = flags
        .iter()
        .zip(&found)
        .any(|(f, c)| f.first_person() && !f.scoped && !c.question);
    // A clean clause with an affirmed label ("sou X", "I'm a X", "soy X").
    let label = flags.iter().zip(&found).any(|(f, c)| {
        f.first_person()
            && !f.scoped
            && !c.question
            && count(&c.tokens, &lex.be) > count(&c.tokens, &lex.be_negated)
    });
    let third = flags.iter().any(|f| f.third_person);
    let fp_any = flags.iter().any(|f| f.first_person());
    [
        flag(be_affirm),
        // "Não sou X, sou Y" keeps Y: a negated label counts only without a clean label.
        flag(count(&tok, &lex.be_negated) > 0 && !label),
        has(&lex.fp_fact),
        has(&lex.fp_taste),
        has(&lex.negated_fact),
        has(&lex.hypothetical),
        has(&lex.roleplay),
        has(&lex.wish),
        has(&lex.should),
        has(&lex.third_person),
        has(&lex.with_user),
        has(&lex.one_off),
        has(&lex.standing),
        ratio(count(&tok, &lex.answer_style).min(3), 3),
        has(&lex.temporary),
        flag(sarcasm),
        has(&lex.pasted_task),
        has(&lex.fiction),
        has(&lex.passing),
        has(&lex.duration),
        ratio(count(&tok, &lex.first_person_words).min(5), 5),
        flag(fp_quote > 0),
        ratio(split.inside.chars().count(), text.chars().count()),
        flag(split.has_code),
        flag(question),
        (ln_1p_len(tok.len()) / 5.0).min(1.0),
        flag(count(&tok, &lex.remember) > count(&tok, &lex.remind)),
        has(&lex.stop),
        has(&lex.we),
        has(&lex.laugh),
        flag(clean),
        flag(clean && third),
        flag(fp_any && !clean),
        has(&lex.ignorance),
        has(&lex.own_possessive),
        has(&lex.fp_state),
        flag(flags.iter().any(|f| f.subject == Subject::UserState) && !clean),
        flag(label),
        // A label with laughter in the same clause: self-mockery ("sou a rainha da bagunça kkkk").
        flag(found.iter().any(|c| {
            count(&c.tokens, &lex.be) > count(&c.tokens, &lex.be_negated)
                && count(&c.tokens, &lex.laugh) > 0
        })),
        flag(found.iter().any(|c| generic_first_person(&c.tokens, lex))),
    ]
}

#[allow(clippy::cast_precision_loss)] // a token count
fn ln_1p_len(n: usize) -> f64 {
    (n as f64).ln_1p()
}

#[cfg(test)]
#[path = "features_tests.rs"]
mod tests;
