//! Redis adapter: the chat-history read cache, the token denylist, rate limits,
//! idempotency records, the logs of answers being streamed, the stamps, the leases and the
//! slots of generations in flight, shared by
//! every replica
//! of the service.
//!
//! [`connect`] opens a small pool of connections that reconnect by themselves; every
//! command has a timeout, so a dead Redis fails fast ([`StoreError::Unavailable`])
//! instead of hanging a request. A `rediss://` URL always means TLS (rustls, verified
//! against the system's roots or [`RedisConfig::tls_ca_file`]), never plaintext;
//! `redis-cluster://` connects to a Redis Cluster. The returned [`Redis`] implements
//! [`ChatCache`](polychat_domain::ports::ChatCache),
//! [`TokenDenylist`](polychat_domain::ports::TokenDenylist),
//! [`RateLimiter`](polychat_domain::ports::RateLimiter),
//! [`IdempotencyStore`](polychat_domain::ports::IdempotencyStore),
//! [`AnswerLog`](polychat_domain::ports::AnswerLog),
//! [`Stamps`](polychat_domain::ports::Stamps),
//! [`Leases`](polychat_domain::ports::Leases),
//! [`GenerationSlots`](polychat_domain::ports::GenerationSlots) and
//! [`HealthProbe`](polychat_domain::ports::HealthProbe).
//!
//! Everything that reads and then writes runs as one Lua script, so it is atomic
//! across replicas; time-based decisions use the Redis server's clock (`TIME`), never
//! a replica's. Every key starts with the configured prefix.
//!
//! On Redis Cluster a script may only touch keys of one hash slot. Most scripts touch
//! one key; the cache's scripts touch a chat's two keys, which share the hash tag
//! `{chat id}` (on a single Redis the braces are just characters). A new script over
//! several keys must do the same; the cluster test in `tests/it/cluster.rs` fails
//! otherwise (CROSSSLOT, or fred refusing keys of two nodes).
//!
//! [`StoreError::Unavailable`]: polychat_domain::ports::StoreError::Unavailable

mod answers;
mod cache;
mod config;
mod connect;
mod denylist;
mod error;
mod generations;
mod health;
mod idempotency;
mod leases;
mod rate;
mod script;
mod stamps;
mod tls;

pub use config::RedisConfig;
pub use connect::{ConnectError, Redis, connect};
