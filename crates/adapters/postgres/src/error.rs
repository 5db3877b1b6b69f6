//! Errors of this adapter and their translation into the domain's [`StoreError`].

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use polychat_domain::ports::StoreError;

/// Why connecting, migrating or checking the schema failed.
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error("invalid PostgreSQL settings: {0}")]
    Config(String),
    #[error("PostgreSQL is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("running the database migrations failed")]
    Migration(#[source] anyhow::Error),
    #[error(
        "column {table}.embedding has {found} dimensions but the embedder produces {expected}; \
         add a migration that changes the column (and re-embeds) or configure a matching embedder"
    )]
    DimensionMismatch {
        table: String,
        expected: usize,
        found: usize,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The pool could not hand out a connection in time, or opening one failed.
pub(crate) fn unavailable(err: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Unavailable(err.into())
}

/// Translates a query error: unique violations are duplicates, a lost connection or a
/// cancelled statement means the store is unavailable, anything else is unknown.
pub(crate) fn store_error(err: DieselError) -> StoreError {
    match &err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => StoreError::Duplicate,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => unavailable(err),
        // diesel does not expose the SQLSTATE of other errors; a statement cut by
        // `statement_timeout` (57014) reaches us only as its server message.
        _ if is_statement_timeout(&err) => unavailable(err),
        _ => StoreError::Unknown(err.into()),
    }
}

/// Whether PostgreSQL cancelled the statement after `statement_timeout`.
pub(crate) fn is_statement_timeout(err: &DieselError) -> bool {
    matches!(err, DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
        if info.message().contains("statement timeout"))
}

/// A query the client gave up on after `limit`, worded as PostgreSQL words its own
/// statement timeouts so that it is translated and counted the same way.
pub(crate) fn deadline_passed(limit: Duration) -> DieselError {
    DieselError::DatabaseError(
        DatabaseErrorKind::Unknown,
        Box::new(format!(
            "statement timeout: PostgreSQL did not answer within {} ms",
            limit.as_millis()
        )),
    )
}

/// A row that does not satisfy the domain's rules; only possible if the database was
/// written around the app.
pub(crate) fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("stored {what} is invalid: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_are_duplicates_and_lost_connections_unavailable() {
        let duplicate = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_owned()),
        );
        assert!(matches!(store_error(duplicate), StoreError::Duplicate));
        let closed = DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("closed".to_owned()),
        );
        assert!(matches!(store_error(closed), StoreError::Unavailable(_)));
        let timeout = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("canceling statement due to statement timeout".to_owned()),
        );
        assert!(matches!(store_error(timeout), StoreError::Unavailable(_)));
        assert!(matches!(
            store_error(DieselError::NotFound),
            StoreError::Unknown(_)
        ));
    }
}
