//! The mock upstream: an OpenAI-compatible server that answers instantly, after a fixed
//! latency, or as paced server-sent events, with usage in the last chunk. It also
//! serves deterministic embeddings, so the service can be measured without the cost
//! of a real model in the way (and demos run without internet), and plays an n8n
//! workflow at `/webhook/{name}` for custom models.
//!
//! A request can pick its own behaviour through its model name, because the service
//! passes the client's `model` through: `mock/delay60-chunks20-gap10` means 60 ms
//! before the first byte, 20 chunks, 10 ms apart. Parts left out use the server's flags.

mod handlers;

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};

/// How an answer is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// Before the whole answer, or before the first chunk of a stream.
    pub latency: Duration,
    /// Pieces of the answer (SSE chunks when streaming, words otherwise).
    pub chunks: u32,
    /// Between two chunks of a stream.
    pub chunk_gap: Duration,
}

impl Mode {
    /// This mode changed by the `delayN`, `chunksN` and `gapN` parts of a model name.
    #[must_use]
    pub fn for_model(self, model: &str) -> Self {
        let Some(spec) = model.strip_prefix("mock/") else {
            return self;
        };
        let mut mode = self;
        for part in spec.split('-') {
            let number = |prefix: &str| part.strip_prefix(prefix).and_then(|n| n.parse().ok());
            if let Some(ms) = number("delay") {
                mode.latency = Duration::from_millis(ms);
            } else if let Some(ms) = number("gap") {
                mode.chunk_gap = Duration::from_millis(ms);
            } else if let Some(n) = number("chunks") {
                mode.chunks = u32::try_from(n).unwrap_or(u32::MAX).max(1);
            }
        }
        mode
    }
}

/// Everything the mock needs.
#[derive(Debug, Clone, Copy)]
pub struct MockConfig {
    pub addr: SocketAddr,
    pub mode: Mode,
    /// Length of the embeddings served.
    pub dimensions: usize,
    pub workers: usize,
}

/// Binds the mock; the returned server runs when awaited.
pub fn serve(config: MockConfig) -> std::io::Result<(Server, u16)> {
    let listener = std::net::TcpListener::bind(config.addr)?;
    let port = listener.local_addr()?.port();
    let state = web::Data::new(config);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
            .route("/health", web::get().to(handlers::health))
            .route("/api/v1/key", web::get().to(handlers::key))
            .route("/v1/key", web::get().to(handlers::key))
            .route("/api/v1/chat/completions", web::post().to(handlers::chat))
            .route("/v1/chat/completions", web::post().to(handlers::chat))
            .route("/api/v1/embeddings", web::post().to(handlers::embeddings))
            .route("/v1/embeddings", web::post().to(handlers::embeddings))
            .route("/webhook/{name}", web::post().to(handlers::webhook))
    })
    // Paced SSE chunks go out when written (no Nagle delay), as a real upstream's do.
    .on_connect(|connection, _| {
        if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
            tcp.set_nodelay(true).ok();
        }
    })
    .workers(config.workers.max(1))
    .backlog(4096)
    .listen(listener)?
    .run();
    Ok((server, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_override_the_flags() {
        let base = Mode {
            latency: Duration::ZERO,
            chunks: 8,
            chunk_gap: Duration::from_millis(5),
        };
        assert_eq!(base.for_model("openai/gpt-4o-mini"), base);
        let mode = base.for_model("mock/delay60-chunks20-gap10");
        assert_eq!(mode.latency, Duration::from_millis(60));
        assert_eq!(mode.chunks, 20);
        assert_eq!(mode.chunk_gap, Duration::from_millis(10));
        assert_eq!(base.for_model("mock/chunks0").chunks, 1);
        assert_eq!(base.for_model("mock/bogus-delayx"), base);
    }
}
