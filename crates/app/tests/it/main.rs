//! Whole-app tests: HTTP requests against the real app wired to the real stores, with
//! only the LLM upstream mocked.

mod accounts;
mod chat;
mod cli;
mod custom_models;
mod fuzz;
mod hardening;
mod harness;
mod issuers;
mod memory;
mod metrics;
mod openai;
mod operations;
mod readme;
mod replicas;
mod retention;
mod ui;
