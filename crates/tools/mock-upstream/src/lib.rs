//! Tools for `make bench` and for offline demos: a mock OpenAI-compatible upstream
//! (chat completions, whole or streamed, and embeddings), an open-loop load generator
//! that measures latency from each request's intended start (so a slow server cannot
//! hide its queueing: no coordinated omission), and helpers that seed and measure the
//! stores directly with the real adapters.

pub mod load;
pub mod memory_bench;
pub mod mock;
pub mod seed;
pub mod stats;
