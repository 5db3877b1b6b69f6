//! `mock-upstream`: serves the mock OpenAI-compatible API (see `mock`) until stopped.
//!
//! Flags (or environment variables): `--addr` (`MOCK_ADDR`, default 127.0.0.1:8090),
//! `--latency-ms` (`MOCK_LATENCY_MS`, 0), `--chunks` (`MOCK_CHUNKS`, 8),
//! `--chunk-gap-ms` (`MOCK_CHUNK_GAP_MS`, 0), `--dimensions` (`MOCK_DIMENSIONS`, 384),
//! `--workers` (`MOCK_WORKERS`, 1).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use polychat_mock_upstream::cli::{ArgError, Args};
use polychat_mock_upstream::mock::{self, MockConfig, Mode};

fn config() -> Result<MockConfig, ArgError> {
    let args = Args::parse(std::env::args().skip(1))?;
    Ok(MockConfig {
        addr: args.get(
            "addr",
            Some("MOCK_ADDR"),
            SocketAddr::from(([127, 0, 0, 1], 8090)),
        )?,
        mode: Mode {
            latency: Duration::from_millis(args.get("latency-ms", Some("MOCK_LATENCY_MS"), 0)?),
            chunks: args.get("chunks", Some("MOCK_CHUNKS"), 8)?,
            chunk_gap: Duration::from_millis(args.get(
                "chunk-gap-ms",
                Some("MOCK_CHUNK_GAP_MS"),
                0,
            )?),
        },
        dimensions: args.get("dimensions", Some("MOCK_DIMENSIONS"), 384)?,
        // One worker by default: the mock should take as little of the machine as it can.
        workers: args.get("workers", Some("MOCK_WORKERS"), 1)?,
    })
}

#[actix_web::main]
async fn main() -> ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("mock-upstream: {error}");
            return ExitCode::from(2);
        }
    };
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
