//! The webhook adapter: custom models answered by n8n workflows (or anything speaking
//! their contract).
//!
//! [`WebhookClient`] is the [`WebhookCaller`](polychat_domain::ports::WebhookCaller):
//! it posts the contract's payload, signed with the model's secret
//! (`X-Polychat-Signature`), and reads every answer shape of the contract (OpenAI
//! objects, n8n's output objects, plain text, n8n's JSON-lines stream, OpenAI event
//! streams) as a whole answer or as a stream. [`NetworkPolicy`] is the
//! [`WebhookUrlGuard`](polychat_domain::ports::WebhookUrlGuard): the SSRF rule, checked
//! when a URL is saved and again, by the client, on every address it connects to.

mod answer;
mod client;
mod guard;
mod lines;
mod payload;
mod policy;
mod resolver;
mod sign;
mod sse;
mod stream;
mod tokens;

pub use client::{ClientError, WebhookClient};
pub use policy::{ALLOWED_NETWORKS_VAR, NetworkPolicy, PolicyError};
pub use sign::{DELIVERY_HEADER, SIGNATURE_HEADER};
