//! The `polychat` command: `serve` (the default) runs the HTTP API, `migrate` applies
//! the database migrations, `rotate-keys` re-encrypts stored API keys with the current
//! master key.

use std::path::Path;
use std::process::ExitCode;

use polychat_app::config::{AppConfig, Source};
use polychat_app::{server::Application, telemetry, wiring};

const USAGE: &str = "usage: polychat [serve | migrate | rotate-keys]";

#[actix_web::main]
async fn main() -> ExitCode {
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    if !matches!(command.as_str(), "serve" | "migrate" | "rotate-keys") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let config = match Source::from_process(Path::new(".env")).and_then(|s| AppConfig::load(&s)) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let outcome = match command.as_str() {
        "migrate" => wiring::migrate(&config).await,
        "rotate-keys" => wiring::rotate_keys(&config).await,
        _ => serve(config).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "polychat {command} failed");
            eprintln!("polychat {command} failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: AppConfig) -> anyhow::Result<()> {
    let state = wiring::build_state(&config).await?;
    let app = Application::build(config.http_addr, config.http_workers, state)?;
    tracing::info!(addr = %config.http_addr, port = app.port(), "polychat listening");
    app.run_until_stopped().await?;
    tracing::info!("polychat stopped");
    Ok(())
}
