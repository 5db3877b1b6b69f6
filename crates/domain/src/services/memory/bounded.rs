//! What of a long text is embedded: at most the embedding model's window, so a 32,000-
//! character prompt costs what a short one does. A text over the window keeps its head
//! and its tail (cut at whitespace): a prompt's start usually says who is asking and
//! its end what is asked, while the middle of a long prompt is pasted material.

use std::borrow::Cow;

/// Between the kept head and tail of a shortened text.
const ELLIPSIS: &str = " … ";

/// `text` as it is embedded when the model reads at most `window` characters in one
/// pass: whole when it fits, else its head and tail with an ellipsis between.
pub(crate) fn within_window(text: &str, window: usize) -> Cow<'_, str> {
    let length = text.chars().count();
    if length <= window {
        return Cow::Borrowed(text);
    }
    let keep = window.saturating_sub(ELLIPSIS.chars().count()) / 2;
    let head_end = byte_at(text, keep);
    let tail_start = byte_at(text, length - keep);
    let head = cut_back_to_space(&text[..head_end]);
    let tail = cut_forward_to_space(&text[tail_start..]);
    Cow::Owned(format!(
        "{}{ELLIPSIS}{}",
        head.trim_end(),
        tail.trim_start()
    ))
}

/// The byte offset of the `n`th character.
fn byte_at(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// `head` without a word cut in two at its end (unless it is one long word).
fn cut_back_to_space(head: &str) -> &str {
    match head.rfind(char::is_whitespace) {
        Some(at) if at > head.len() / 2 => &head[..at],
        _ => head,
    }
}

/// `tail` without a word cut in two at its start (unless it is one long word).
fn cut_forward_to_space(tail: &str) -> &str {
    match tail.find(char::is_whitespace) {
        Some(at) if at < tail.len() / 2 => &tail[at..],
        _ => tail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_within_the_window_is_kept_whole() {
        assert!(matches!(
            within_window("Sou dev.", 8),
            Cow::Borrowed("Sou dev.")
        ));
    }

    #[test]
    fn a_long_text_keeps_its_head_and_tail_within_the_window() {
        let text = format!(
            "Sou desenvolvedor de software. {} Como organizo um workspace Rust?",
            "palavra colada ".repeat(2_000)
        );
        let bounded = within_window(&text, 200);
        assert!(
            bounded.chars().count() <= 200,
            "{}",
            bounded.chars().count()
        );
        assert!(
            bounded.starts_with("Sou desenvolvedor de software."),
            "{bounded}"
        );
        assert!(
            bounded.ends_with("Como organizo um workspace Rust?"),
            "{bounded}"
        );
        assert!(bounded.contains('…'));
    }

    #[test]
    fn words_are_not_cut_and_multibyte_text_is_safe() {
        let text = "ação ".repeat(100);
        let bounded = within_window(&text, 41);
        assert!(bounded.chars().count() <= 41);
        for word in bounded.split_whitespace() {
            assert!(word == "ação" || word == "…", "{word:?} in {bounded:?}");
        }
        let one_word = "x".repeat(500);
        assert_eq!(within_window(&one_word, 100).chars().count(), 99);
    }
}
