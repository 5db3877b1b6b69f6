//! Integration tests of the OpenAI-compatible adapter: the chat client against a mock
//! upstream (wiremock, or a hand-paced socket where timing matters), the embeddings
//! client against the real local embeddings server.

// Helpers outside `#[test]` functions fail the test on a broken set-up, as tests do.
#![allow(clippy::unwrap_used)]

mod embeddings;
mod llm_complete;
mod llm_stream;
mod support;
