//! The parser's complaint about a field, said in the contract's words: `field: what it
//! must be`. serde's sentences ("invalid type: integer `5`, expected a string at line 1
//! column 12", "Query deserialize error: invalid digit found in string") name Rust
//! types and parser positions; the client needs the field and what to send instead.

/// Where the complaint came from: JSON knows the type it read, a query string only text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Parsed {
    Json,
    Query,
}

/// A complaint about one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reworded {
    /// The field's path (`messages[0].content`), when the complaint is about one.
    pub(super) field: Option<String>,
    pub(super) message: String,
}

/// Rewords serde's `message` about the value at `path` (`.` for the whole input).
pub(super) fn reword(path: &str, message: &str, parsed: Parsed) -> Reworded {
    let message = strip_position(message);
    let at = (path != "." && !path.is_empty()).then(|| path.to_owned());
    let (field, what) = if let Some(name) = between(message, "missing field `", "`") {
        (Some(join(at.as_deref(), name)), "is required".to_owned())
    } else if let Some(name) = between(message, "unknown field `", "`") {
        (
            Some(join(at.as_deref(), name)),
            "is not a field of this request".to_owned(),
        )
    } else if let Some(name) = between(message, "duplicate field `", "`") {
        (Some(join(at.as_deref(), name)), "is given twice".to_owned())
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        let allowed = rest
            .split_once("expected ")
            .map_or("", |(_, allowed)| allowed)
            .trim_start_matches("one of ")
            .replace('`', "");
        (at, format!("must be one of: {allowed}"))
    } else if let Some((got, expected)) = unexpected(message) {
        let got = match parsed {
            Parsed::Json => format!(" (got {})", kind_of(got)),
            Parsed::Query => String::new(),
        };
        (at, format!("must be {}{got}", expected_in_words(expected)))
    } else if let Some(expected) = between(message, "invalid length ", "")
        .and_then(|rest| rest.split_once(", expected ").map(|(_, expected)| expected))
    {
        (at, format!("must have {expected}"))
    } else if parsed == Parsed::Query && is_number_parse_error(message) {
        (at, "must be a whole number".to_owned())
    } else if parsed == Parsed::Query
        && message.contains("provided string was not `true` or `false`")
    {
        (at, "must be true or false".to_owned())
    } else {
        // A message of our own deserializers (already in the contract's words).
        (at, message.to_owned())
    };
    let message = match &field {
        Some(field) => format!("{field}: {what}"),
        None => match parsed {
            Parsed::Json => format!("body: {what}"),
            Parsed::Query => format!("query string: {what}"),
        },
    };
    Reworded { field, message }
}

/// `(unexpected, expected)` of "invalid type: …, expected …" and "invalid value: …".
fn unexpected(message: &str) -> Option<(&str, &str)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    rest.split_once(", expected ")
}

/// What serde expected, as a client would say it.
fn expected_in_words(expected: &str) -> String {
    let words = match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a string" | "a borrowed string" | "a char" => "a string",
        "a sequence" => "a list",
        "a map" => "an object",
        "unit" => "null",
        other if other.starts_with("struct ") || other.starts_with("a map") => "an object",
        other if other.starts_with("enum ") => "one of the allowed values",
        other if other.starts_with("a sequence") || other.starts_with("tuple") => "a list",
        other => return other.to_owned(),
    };
    words.to_owned()
}

/// The JSON type of what was read, from serde's description of it.
fn kind_of(got: &str) -> &'static str {
    let first = got.split([' ', '`']).next().unwrap_or_default();
    match first {
        "integer" | "floating" => "a number",
        "string" | "char" => "a string",
        "boolean" => "true or false",
        "sequence" => "a list",
        "map" => "an object",
        "null" | "unit" => "null",
        _ => "another type",
    }
}

fn is_number_parse_error(message: &str) -> bool {
    [
        "invalid digit",
        "number too large",
        "number too small",
        "cannot parse integer from empty string",
        "invalid float literal",
    ]
    .iter()
    .any(|fragment| message.contains(fragment))
}

/// The " at line L column C" suffix of `serde_json` removed.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    }
}

fn between<'a>(message: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(start)?;
    if end.is_empty() {
        return Some(rest);
    }
    rest.split_once(end).map(|(inside, _)| inside)
}

fn join(parent: Option<&str>, name: &str) -> String {
    match parent {
        Some(parent) => format!("{parent}.{name}"),
        None => name.to_owned(),
    }
}

/// The field of `known` that `unknown` most likely misspells, if any: the same name
/// but for case, `_` and `-`; a few letters off (a quarter of the name, at least 2); or
/// a part of it at least 6 letters long (`api_key` for `openrouter_api_key`).
pub(super) fn misspelling_of<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let candidate = normalized(unknown);
    if candidate.len() < 4 {
        return None;
    }
    known.iter().copied().find(|field| {
        let field_name = normalized(field);
        let allowed = (field_name.len() / 4).max(2);
        edit_distance(&candidate, &field_name) <= allowed
            || (candidate.len() >= 6
                && field_name
                    .windows(candidate.len())
                    .any(|part| part == candidate.as_slice()))
    })
}

fn normalized(name: &str) -> Vec<char> {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance, in one row.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_sentences_become_field_and_rule() {
        let cases = [
            (
                ".",
                "missing field `prompt` at line 1 column 2",
                Parsed::Json,
                Some("prompt"),
                "prompt: is required",
            ),
            (
                "messages[0]",
                "missing field `role`",
                Parsed::Json,
                Some("messages[0].role"),
                "messages[0].role: is required",
            ),
            (
                "limit",
                "invalid type: string \"ten\", expected u32 at line 1 column 14",
                Parsed::Json,
                Some("limit"),
                "limit: must be a whole number, 0 or more (got a string)",
            ),
            (
                "stream",
                "invalid type: integer `1`, expected a boolean",
                Parsed::Json,
                Some("stream"),
                "stream: must be true or false (got a number)",
            ),
            (
                "kind",
                "unknown variant `taste`, expected one of `identity`, `style`",
                Parsed::Json,
                Some("kind"),
                "kind: must be one of: identity, style",
            ),
            (
                "limit",
                "invalid digit found in string",
                Parsed::Query,
                Some("limit"),
                "limit: must be a whole number",
            ),
            (
                "limit",
                "invalid value: integer `-3`, expected u32",
                Parsed::Query,
                Some("limit"),
                "limit: must be a whole number, 0 or more",
            ),
            (
                ".",
                "invalid type: sequence, expected struct ChatRequest",
                Parsed::Json,
                None,
                "body: must be an object (got a list)",
            ),
            (
                "include_inactive",
                "provided string was not `true` or `false`",
                Parsed::Query,
                Some("include_inactive"),
                "include_inactive: must be true or false",
            ),
        ];
        for (path, message, parsed, field, expected) in cases {
            let reworded = reword(path, message, parsed);
            assert_eq!(reworded.field.as_deref(), field, "{message}");
            assert_eq!(reworded.message, expected, "{message}");
            assert!(!reworded.message.contains("line 1"), "{message}");
        }
    }

    #[test]
    fn misspellings_are_recognised_and_other_names_are_not() {
        let known = ["username", "password", "display_name", "openrouter_api_key"];
        for (unknown, meant) in [
            ("openrouter_key", "openrouter_api_key"),
            ("openRouterApiKey", "openrouter_api_key"),
            ("api_key", "openrouter_api_key"),
            ("openrouter-api-key", "openrouter_api_key"),
            ("pasword", "password"),
            ("displayname", "display_name"),
        ] {
            assert_eq!(misspelling_of(unknown, &known), Some(meant), "{unknown}");
        }
        for other in [
            "id",
            "role",
            "has_openrouter_key",
            "default_model",
            "is_admin",
            "key",
        ] {
            assert_eq!(misspelling_of(other, &known), None, "{other}");
        }
    }

    #[test]
    fn messages_of_our_own_deserializers_are_kept() {
        let reworded = reword("chat_id", "not a chat id", Parsed::Json);
        assert_eq!(reworded.message, "chat_id: not a chat id");
    }
}
