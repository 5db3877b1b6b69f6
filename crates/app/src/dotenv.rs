//! The one `.env` format. The service (`config::Source`) and the scripts
//! (`deploy/local/with-env.sh`, which `make` and the bench use) read it by exactly these
//! rules, and a test runs both on the same file:
//!
//! - a line that is blank, or whose first character other than spaces and tabs is `#`,
//!   is skipped (a trailing carriage return is dropped first);
//! - any other line is `NAME=value`: the name, spaces and tabs around it removed, is
//!   letters, digits and `_`, not starting with a digit;
//! - the value is everything after the first `=`, spaces and tabs around it removed;
//!   when it is then wrapped in a pair of `"` or a pair of `'`, the pair is removed.
//!   Nothing else is interpreted: `#`, `$`, `\` and inner quotes stay as written;
//! - a name given twice keeps its last value; any other line is an error naming its
//!   line number.

use std::path::Path;

/// A `.env` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DotenvError {
    #[error("cannot be read: {0}")]
    Unreadable(std::io::Error),
    #[error("line {line}: {problem}")]
    Malformed { line: usize, problem: &'static str },
}

/// The variables of the file at `path` in file order, or `None` when there is no file.
pub fn read(path: &Path) -> Result<Option<Vec<(String, String)>>, DotenvError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text).map(Some),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(DotenvError::Unreadable(error)),
    }
}

/// The variables of a `.env` text, in file order.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, DotenvError> {
    let blank = |c: char| c == ' ' || c == '\t';
    let mut variables = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let content = line.trim_start_matches(blank);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let malformed = |problem| DotenvError::Malformed {
            line: index + 1,
            problem,
        };
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| malformed("expected NAME=value"))?;
        let name = name.trim_matches(blank);
        if !is_name(name) {
            return Err(malformed(
                "the name must be letters, digits and _, not starting with a digit",
            ));
        }
        variables.push((
            name.to_owned(),
            unquote(value.trim_matches(blank)).to_owned(),
        ));
    }
    Ok(variables)
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value without one pair of surrounding `"` or `'`.
fn unquote(value: &str) -> &str {
    ['"', '\'']
        .into_iter()
        .find_map(|quote| {
            value
                .strip_prefix(quote)
                .and_then(|rest| rest.strip_suffix(quote))
        })
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap()
    }

    #[test]
    fn values_are_literal_but_for_one_pair_of_quotes() {
        let text = "# a comment\n\n  \t# indented comment\r\nA=1\r\n B = two words \n\
                    C=\"quoted # not a comment\"\nD='single'\nE=a#b $HOME \\n\nF=\"\nG=\"'\"\n\
                    H=\"mis'\nA=last";
        let expected = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "quoted # not a comment"),
            ("D", "single"),
            ("E", "a#b $HOME \\n"),
            ("F", "\""),
            ("G", "'"),
            ("H", "\"mis'"),
            ("A", "last"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(pairs(text), expected);
    }

    #[test]
    fn a_bad_line_is_named() {
        for (text, line) in [("A=1\nnot a pair", 2), ("1A=x", 1), ("=x", 1), ("A B=x", 1)] {
            match parse(text) {
                Err(DotenvError::Malformed { line: at, .. }) => assert_eq!(at, line, "{text}"),
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }
}
