use super::*;
use crate::features::tokens;

#[test]
fn quotes_and_code_are_set_apart_but_apostrophes_are_not() {
    let split = split_outside("Traduz: 'Sou médico' e `eu sou` ok\n```\nmoro\n```\nI'm done");
    assert_eq!(
        tokens(&split.outside),
        ["traduz", "e", "ok", "i", "m", "done"]
    );
    assert_eq!(
        tokens(&split.inside),
        ["sou", "medico", "eu", "sou", "moro"]
    );
    assert!(split.has_code);
    let unclosed = split_outside("rock 'n roll, I'm \"here");
    assert_eq!(unclosed.outside, "rock 'n roll, I'm \"here");
    assert!(unclosed.masked.iter().all(|m| !m));
}

#[test]
fn unmatched_quotes_cost_what_letters_cost() {
    // Each unmatched opening quote used to rescan the rest of the text: 32k of them took
    // about half a billion steps, against a few hundred thousand for 32k letters.
    let (_, letters) = scan(&"a".repeat(32_000));
    for opener in ["\u{ab}", "\u{201c}", "\"", "'", "`", "```"] {
        let (split, quotes) = scan(&format!("{opener} a").repeat(32_000 / 3));
        assert!(
            quotes <= 2 * letters,
            "{opener:?}: {quotes} steps against {letters} for letters"
        );
        assert!(split.masked.len() >= 32_000 / 3);
    }
    // Matched quotes still set their text apart.
    let (split, _) = scan(&"\u{ab}eu sou\u{bb} ".repeat(1_000));
    assert!(tokens(&split.outside).is_empty());
}
