//! Translation of driver errors into the port's [`StoreError`].

use mongodb::error::{ErrorKind, WriteFailure};
use polychat_domain::ports::StoreError;

/// MongoDB's code for a unique-index violation.
const DUPLICATE_KEY: i32 = 11_000;

/// Maps a driver error: a duplicate key is [`StoreError::Duplicate`], anything that
/// means "MongoDB cannot be reached right now" is [`StoreError::Unavailable`] (the
/// caller answers 503 and may retry), the rest is [`StoreError::Unknown`].
pub(crate) fn store_error(error: mongodb::error::Error) -> StoreError {
    if is_duplicate(&error) {
        StoreError::Duplicate
    } else if is_unavailable(&error) {
        StoreError::Unavailable(error.into())
    } else {
        StoreError::Unknown(error.into())
    }
}

/// Whether a socket timed out (no server at all is unavailability, not a timeout).
pub(crate) fn is_timeout(error: &mongodb::error::Error) -> bool {
    matches!(error.kind.as_ref(), ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

fn is_duplicate(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(write)) => write.code == DUPLICATE_KEY,
        ErrorKind::Command(command) => command.code == DUPLICATE_KEY,
        ErrorKind::InsertMany(many) => many
            .write_errors
            .iter()
            .flatten()
            .any(|write| write.code == DUPLICATE_KEY),
        _ => false,
    }
}

fn is_unavailable(error: &mongodb::error::Error) -> bool {
    matches!(
        error.kind.as_ref(),
        ErrorKind::ServerSelection { .. }
            | ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::DnsResolve { .. }
            | ErrorKind::Shutdown
    ) || error.contains_label("RetryableWriteError")
}
