//! Integration tests of polychat-detector against the real local embeddings server
//! (`EMBEDDINGS_BASE_URL`, default `http://127.0.0.1:8001/v1`).

mod embeddings;
mod error_classes;
mod real_prompts;
mod round_two;
