//! The PostgreSQL adapter: users and their credentials, personal API keys, the
//! custom-model registry, the usage ledger, the master-key check value, remembered
//! preferences and the semantic index over messages (pgvector), through diesel-async
//! and a deadpool pool.
//!
//! Wiring: [`run_migrations`] once at startup (or as `app migrate`), [`connect`] to get
//! a [`Postgres`], [`Postgres::verify_embedding_dimensions`] against the embedder, then
//! hand clones of it to the app as `Arc<dyn UserRepository>`, `Arc<dyn ApiKeyStore>`, `Arc<dyn CustomModelRepository>`, `Arc<dyn UsageLedger>`, `Arc<dyn MasterKeyCheckStore>`,
//! `Arc<dyn PreferenceStore>`, `Arc<dyn MessageIndex>`, `Arc<dyn SessionStore>` and `Arc<dyn HealthProbe>`.

mod api_keys;
mod config;
mod custom_models;
mod error;
mod key_check;
mod messages;
mod migrate;
mod pool;
mod preferences;
mod schema;
mod search;
mod sessions;
mod usage;
mod users;
mod vector;

pub use config::PostgresConfig;
pub use error::PostgresError;
pub use migrate::run_migrations;
pub use pool::{Postgres, connect};
