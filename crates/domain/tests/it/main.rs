//! Use-case tests over the in-memory ports of the testkit: the whole flows, no I/O.

mod api_keys;
mod auth;
mod chat;
mod custom_models;
mod index_queue;
mod issuers;
mod memory;
