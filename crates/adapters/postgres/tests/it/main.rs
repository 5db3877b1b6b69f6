//! Integration tests of the PostgreSQL adapter against a real server. Each test gets a
//! database of its own, created from scratch and dropped afterwards, so tests run in
//! parallel and leave nothing behind.

// Helpers outside `#[test]` functions may unwrap too: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod contract;
mod failures;
mod isolation;
mod schema;
mod support;
mod users;
mod vector_scan;
