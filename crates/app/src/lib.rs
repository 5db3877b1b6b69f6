//! The polychat HTTP application: configuration, wiring of adapters into use cases,
//! the actix-web server and its routes. `main.rs` only parses the command line.

pub mod config;
pub mod dotenv;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod readiness;
pub mod retention;
pub mod routes;
pub mod server;
pub mod state;
pub mod tasks;
pub mod telemetry;
pub mod webui;
pub mod wiring;
