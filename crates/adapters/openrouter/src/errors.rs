//! Translation of upstream failures into the contract's [`LlmError`]: HTTP statuses,
//! error bodies (OpenRouter also sends them with HTTP 200 and inside streams), and
//! `Retry-After`. Messages passed on are short, single-line and never contain the key.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use polychat_domain::ports::LlmError;
use secrecy::{ExposeSecret, SecretString};

use crate::wire::WireError;

/// Upstream text kept in an error message; enough to diagnose, too little to leak much.
const MAX_MESSAGE_CHARS: usize = 200;

/// The error for an HTTP status (or an error body's numeric code).
pub(crate) fn from_status(
    status: u16,
    retry_after: Option<Duration>,
    detail: Option<&str>,
    key: &SecretString,
) -> LlmError {
    match status {
        401 | 403 => LlmError::Unauthorized,
        402 => LlmError::InsufficientCredits,
        429 => LlmError::RateLimited { retry_after },
        // 408 is OpenRouter's own request timeout, 504/524 a gateway's.
        408 | 504 | 524 => LlmError::Timeout,
        _ => {
            let detail = detail.map(|text| short_message(text, key));
            LlmError::Upstream(match detail {
                Some(text) if !text.is_empty() => format!("upstream answered {status}: {text}"),
                _ => format!("upstream answered {status}"),
            })
        }
    }
}

/// The error for an `{"error": {...}}` body, whatever status carried it.
pub(crate) fn from_error_body(
    error: &WireError,
    fallback_status: u16,
    key: &SecretString,
) -> LlmError {
    let message = error.message.as_deref();
    if let Some(status) = error.status() {
        return from_status(status, None, message, key);
    }
    match error.word() {
        Some("rate_limit_exceeded" | "rate_limited") => LlmError::RateLimited { retry_after: None },
        Some("insufficient_quota" | "insufficient_credits") => LlmError::InsufficientCredits,
        Some("invalid_api_key" | "unauthorized") => LlmError::Unauthorized,
        Some("timeout" | "request_timeout") => LlmError::Timeout,
        _ => from_status(fallback_status, None, message, key),
    }
}

/// Makes upstream text safe to log and return: the key (and anything shaped like an
/// API key) redacted, control characters turned into spaces, length capped.
pub(crate) fn short_message(text: &str, key: &SecretString) -> String {
    let secret = key.expose_secret();
    let redacted = if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[redacted]")
    };
    let words: Vec<&str> = redacted
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .map(|word| {
            if word.starts_with("sk-") {
                "[redacted]"
            } else {
                word
            }
        })
        .collect();
    let joined = words.join(" ");
    if joined.chars().count() <= MAX_MESSAGE_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_MESSAGE_CHARS).collect();
    cut.push('…');
    cut
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    let now = DateTime::<Utc>::from(now);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn key() -> SecretString {
        SecretString::from("sk-or-v1-topsecret")
    }

    #[test]
    fn statuses_map_to_the_contract() {
        let key = key();
        assert!(matches!(
            from_status(401, None, None, &key),
            LlmError::Unauthorized
        ));
        assert!(matches!(
            from_status(403, None, None, &key),
            LlmError::Unauthorized
        ));
        assert!(matches!(
            from_status(402, None, None, &key),
            LlmError::InsufficientCredits
        ));
        let wait = Some(Duration::from_secs(3));
        assert!(matches!(
            from_status(429, wait, None, &key),
            LlmError::RateLimited { retry_after } if retry_after == wait
        ));
        assert!(matches!(
            from_status(408, None, None, &key),
            LlmError::Timeout
        ));
        let other = from_status(400, None, Some("bad model\nname"), &key);
        assert!(
            matches!(&other, LlmError::Upstream(text) if text == "upstream answered 400: bad model name")
        );
    }

    #[test]
    fn error_bodies_map_by_code() {
        let key = key();
        let body = |value| serde_json::from_value::<WireError>(value).unwrap();
        assert!(matches!(
            from_error_body(
                &body(json!({"code": 402, "message": "no credits"})),
                200,
                &key
            ),
            LlmError::InsufficientCredits
        ));
        assert!(matches!(
            from_error_body(&body(json!({"code": "rate_limit_exceeded"})), 200, &key),
            LlmError::RateLimited { retry_after: None }
        ));
        let word = from_error_body(
            &body(json!({"code": "server_error", "message": "Provider disconnected"})),
            502,
            &key,
        );
        assert!(
            matches!(&word, LlmError::Upstream(text) if text.contains("Provider disconnected"))
        );
    }

    #[test]
    fn messages_never_carry_the_key_and_are_bounded() {
        let key = key();
        let text = format!(
            "Invalid key {} (also sk-other-123)\r\n",
            key.expose_secret()
        );
        let short = short_message(&text, &key);
        assert_eq!(short, "Invalid key [redacted] (also [redacted]");
        let long = short_message(&"x".repeat(5000), &key);
        assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        // RFC 9110's example date, 100 s after `now`.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:51:17 GMT", now),
            Some(Duration::from_secs(100))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
