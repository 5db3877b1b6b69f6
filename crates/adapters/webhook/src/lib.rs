//! Custom models on webhooks (n8n): [`WebhookClient`] implements the domain's
//! `WebhookCaller` (the signed call of the contract, every answer shape turned into
//! deltas, usage counted with a tokenizer when the answer has none), and
//! [`NetworkPolicy`] its `WebhookUrlGuard` (public addresses, plus the networks the
//! operator opened), which the client also enforces on every address it connects to.

mod answer;
mod client;
mod decode;
mod network;
mod payload;
mod resolver;
mod tokens;

pub use client::{ClientError, WebhookClient};
pub use network::{NetworkPolicy, NetworkPolicyError};
pub use resolver::{Lookup, SystemLookup};
