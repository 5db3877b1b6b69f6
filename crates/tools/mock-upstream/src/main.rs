//! `mock-upstream`: serves the mock OpenAI-compatible API (see `mock`) until stopped.
//! `mock-upstream --help` lists the flags; each has an environment variable, and a
//! flag wins over its variable, which wins over the default.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use polychat_mock_upstream::mock::{self, MockConfig, Mode};

/// A mock OpenAI-compatible upstream: chat completions, whole or streamed, and
/// embeddings.
#[derive(Debug, Parser)]
#[command(name = "mock-upstream", version)]
struct Cli {
    /// Where to listen.
    #[arg(long, env = "MOCK_ADDR", default_value = "127.0.0.1:8090")]
    addr: SocketAddr,
    /// Milliseconds before an answer (before the first chunk of a stream).
    #[arg(long, env = "MOCK_LATENCY_MS", default_value_t = 0)]
    latency_ms: u64,
    /// Pieces of an answer: server-sent event chunks, or words when whole.
    #[arg(long, env = "MOCK_CHUNKS", default_value_t = 8)]
    chunks: u32,
    /// Milliseconds between two chunks of a stream.
    #[arg(long, env = "MOCK_CHUNK_GAP_MS", default_value_t = 0)]
    chunk_gap_ms: u64,
    /// The size of the embedding vectors.
    #[arg(long, env = "MOCK_DIMENSIONS", default_value_t = 384)]
    dimensions: usize,
    /// HTTP worker threads (one by default: the mock should take as little of the
    /// machine as it can).
    #[arg(long, env = "MOCK_WORKERS", default_value_t = 1)]
    workers: usize,
}

impl Cli {
    fn config(&self) -> MockConfig {
        MockConfig {
            addr: self.addr,
            mode: Mode {
                latency: Duration::from_millis(self.latency_ms),
                chunks: self.chunks,
                chunk_gap: Duration::from_millis(self.chunk_gap_ms),
            },
            dimensions: self.dimensions,
            workers: self.workers,
        }
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let config = Cli::parse().config();
    let (server, port) = match mock::serve(config) {
        Ok(bound) => bound,
        Err(error) => {
            eprintln!("mock-upstream: cannot listen on {}: {error}", config.addr);
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "mock-upstream listening on {}:{port} (latency {:?}, {} chunks {:?} apart)",
        config.addr.ip(),
        config.mode.latency,
        config.mode.chunks,
        config.mode.chunk_gap
    );
    match server.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mock-upstream: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn flags_parse_and_unknown_ones_are_refused() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["mock-upstream", "--addr", "127.0.0.1:0", "--chunks", "3"])
            .unwrap();
        assert_eq!(cli.config().mode.chunks, 3);
        let error = Cli::try_parse_from(["mock-upstream", "--bogus"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument);
        assert_eq!(error.exit_code(), 2);
    }
}
