//! In-memory implementations of every polychat port, and contract suites that the
//! real adapters run too.
//!
//! Use cases are tested against these fakes without any I/O; each adapter crate runs
//! the same `contract` functions against the real store, so a fake cannot drift from
//! the behaviour it stands for (adapter swapping in tests).

pub mod answers;
pub mod api_keys;
pub mod cache;
pub mod chats;
pub mod clock;
pub mod custom_models;
pub mod denylist;
pub mod embedder;
pub mod generations;
pub mod issuers;
pub mod leases;
pub mod limits;
pub mod llm;
pub mod message_index;
pub mod outage;
pub mod preferences;
pub mod security;
pub mod sessions;
pub mod stamps;
pub mod tasks;
pub mod telemetry;
pub mod usage;
pub mod users;
