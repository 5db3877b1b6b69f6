//! Whole-app tests: HTTP requests against the real app wired to the real stores, with
//! only the LLM upstream mocked.

mod harness;
mod operations;
