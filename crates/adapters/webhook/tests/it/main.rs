//! Integration tests of the webhook adapter: the client against fake n8n servers on
//! loopback (a policy opening 127.0.0.0/8 lets it reach them), and the SSRF guard.

// Helpers outside `#[test]` functions fail the test on a broken set-up, as tests do.
#![allow(clippy::unwrap_used)]

mod answers;
mod failures;
mod payload;
mod ssrf;
mod streams;
mod support;
