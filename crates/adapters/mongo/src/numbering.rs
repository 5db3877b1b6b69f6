//! Numbered documents under a counter: a chat's messages (numbered by the chat's
//! `message_count`) and an owner's chat slots (numbered by the owner's counter).
//!
//! A new document takes the counter's value (`$inc`, value before) as its number and is
//! inserted under a key made from it; the unique `_id` makes the insert the claim. On
//! MongoDB the number is always free. On a server whose find-and-modify is not atomic
//! (FerretDB v1), two writers can get the same value, and a counter update can be lost:
//! so [`claim`] moves on to the next free number, and [`read_from`] looks past the
//! counter for documents, [`PROBE`] numbers at a time.

use std::ops::Range;

use polychat_domain::ports::StoreError;

/// How many numbers past its first a claim tries.
const ATTEMPTS: u64 = 64;

/// How far past the counter, and past each further hit, reads look.
const PROBE: u64 = 16;

/// Inserts with `insert(number)` from `first` on until one is not a duplicate, and
/// returns the number taken.
pub(crate) async fn claim<F, Fut>(first: u64, mut insert: F) -> Result<u64, StoreError>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    for number in first..first + ATTEMPTS {
        match insert(number).await {
            Ok(()) => return Ok(number),
            Err(StoreError::Duplicate) => {}
            Err(error) => return Err(error),
        }
    }
    Err(StoreError::Unknown(anyhow::anyhow!(
        "no free number after {ATTEMPTS} attempts"
    )))
}

/// Reads the documents numbered from `start` up to the counter's `count` with
/// `read(range)`, and those past it: while a window comes back with anything past the
/// count, the next [`PROBE`] numbers are read too.
pub(crate) async fn read_from<T, F, Fut>(
    start: u64,
    count: u64,
    number: fn(&T) -> u64,
    mut read: F,
) -> Result<Vec<T>, StoreError>
where
    F: FnMut(Range<u64>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, StoreError>>,
{
    let mut stop = count + PROBE;
    let mut found = read(start..stop).await?;
    let mut past_count = found.iter().any(|item| number(item) >= count);
    while past_count {
        let further = read(stop..stop + PROBE).await?;
        past_count = !further.is_empty();
        found.extend(further);
        stop += PROBE;
    }
    Ok(found)
}
