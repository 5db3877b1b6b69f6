//! Translation of fred errors into the port's [`StoreError`].

use fred::error::{Error, ErrorKind};
use polychat_domain::ports::StoreError;

/// Errors that say our request was wrong (a bug here) are [`StoreError::Unknown`];
/// everything else (connection lost, timeout, a server that is loading, out of memory
/// or busy) means Redis cannot serve right now: [`StoreError::Unavailable`], which the
/// service answers by degrading (reading MongoDB, limiting in process).
pub(crate) fn store_error(error: Error) -> StoreError {
    match error.kind() {
        ErrorKind::Parse
        | ErrorKind::InvalidArgument
        | ErrorKind::InvalidCommand
        | ErrorKind::Protocol
        | ErrorKind::NotFound
        | ErrorKind::Url
        | ErrorKind::Config => StoreError::Unknown(error.into()),
        _ => StoreError::Unavailable(error.into()),
    }
}

/// Milliseconds for a Redis expiry argument: at least 1, since Redis refuses 0.
pub(crate) fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis())
        .unwrap_or(i64::MAX)
        .max(1)
}
