//! Whole numbers as JSON Schema counts them: `2306.0` is an integer there, so a client
//! that checks its request against the document may send one. Integer fields read an
//! integral float as the whole number it is; `2.5` stays an error.

use serde::Deserialize as _;
use serde::de::{Deserializer, Error as _, Unexpected};
use serde_json::{Number, Value};

/// `number` as a whole number, when it is one (`7` or `7.0`, not `7.5`).
pub fn of(number: &Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        let float = number.as_f64()?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let whole = (float.fract() == 0.0 && float.abs() < i64::MAX as f64).then_some(float as i64);
        whole
    })
}

/// The whole number in `value`, when it holds one.
pub fn in_value(value: &Value) -> Option<i64> {
    value.as_number().and_then(of)
}

/// A `u32` field that also takes an integral float.
///
/// # Errors
/// Anything but a whole number from 0 to `u32::MAX`.
pub fn u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let number = Number::deserialize(deserializer)?;
    of(&number)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| D::Error::invalid_type(unexpected(&number), &"u32"))
}

/// An optional `u32` field that also takes an integral float.
///
/// # Errors
/// Anything but null or a whole number from 0 to `u32::MAX`.
pub fn option_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let Some(number) = Option::<Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    of(&number)
        .and_then(|n| u32::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| D::Error::invalid_type(unexpected(&number), &"u32"))
}

fn unexpected(number: &Number) -> Unexpected<'static> {
    match (number.as_i64(), number.as_f64()) {
        (Some(n), _) => Unexpected::Signed(n),
        (None, Some(f)) => Unexpected::Float(f),
        (None, None) => Unexpected::Other("a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integral_float_is_a_whole_number() {
        for (text, expected) in [
            ("7", Some(7)),
            ("7.0", Some(7)),
            ("-3.0", Some(-3)),
            ("7.5", None),
            ("1e300", None),
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(in_value(&value), expected, "{text}");
        }
    }
}
