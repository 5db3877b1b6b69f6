//! Placeholder until the in-memory implementation lands.
