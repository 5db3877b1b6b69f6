//! The OpenAI-compatible HTTP adapter: chat and legacy completions through OpenRouter
//! (or any compatible server) with each user's own key, the upstream's model catalog,
//! the check of a key before it is stored, and text embeddings.
//!
//! async-openai provides the request types; the transport is our own `reqwest` client,
//! so status codes, `Retry-After`, deadlines and retries follow the contract (see
//! `docs/adr/0001-openai-compatible-transport.md`).

mod chat;
mod config;
mod decode;
mod embeddings;
mod errors;
mod key_check;
mod models;
mod probe;
mod sse;
mod stream;
mod transport;
mod wire;

pub use chat::OpenRouterClient;
pub use config::{ConfigError, OpenRouterConfig};
pub use embeddings::{EmbeddingsClient, EmbeddingsConfig};
pub use key_check::OpenRouterKeyCheck;
pub use models::OpenRouterCatalog;
pub use probe::EmbeddingsProbe;
