//! Structured logs: JSON lines (or human-readable ones for local work), filtered by
//! `RUST_LOG`, with the request span's fields (request id, user id) on every line.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, ServerConfig};

/// Installs the log subscriber the server section describes.
pub fn init(server: &ServerConfig) {
    // The filter was checked when the configuration was read.
    let filter = EnvFilter::try_new(&server.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match server.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Pretty => builder.compact().init(),
    }
}
