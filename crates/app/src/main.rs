//! The `polychat` command: `serve` (the default) runs the HTTP API, `migrate` applies
//! the database migrations, `rotate-keys` re-encrypts stored API keys with the current
//! master key, `admin grant|revoke USERNAME` gives or takes the admin role.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use polychat_app::config::{AppConfig, Source};
use polychat_app::{server::Application, telemetry, wiring};
use polychat_domain::AccountRole;
use tokio::runtime::Handle;

const USAGE: &str = "usage: polychat [serve | migrate | rotate-keys | admin grant USERNAME | admin revoke USERNAME]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().cloned().unwrap_or_else(|| "serve".to_owned());
    let role_change = match (command.as_str(), &args[1..]) {
        ("admin", [action, username]) if action == "grant" => {
            Some((AccountRole::Admin, username.clone()))
        }
        ("admin", [action, username]) if action == "revoke" => {
            Some((AccountRole::User, username.clone()))
        }
        _ => None,
    };
    let known = matches!(command.as_str(), "serve" | "migrate" | "rotate-keys") && args.len() <= 1;
    if !known && role_change.is_none() {
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
    // Turns and other background tasks get threads of their own, beside the HTTP
    // workers; the runtime outlives the server so shutdown can drain it.
    let background = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.http_workers)
        .thread_name("polychat-tasks")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("polychat {command} failed: cannot start the task runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let handle = background.handle().clone();
    let outcome = actix_web::rt::System::new().block_on(async {
        match (command.as_str(), role_change) {
            (_, Some((role, username))) => wiring::set_role(&config, &username, role).await,
            ("migrate", _) => wiring::migrate(&config).await,
            ("rotate-keys", _) => wiring::rotate_keys(&config).await,
            _ => serve(config, handle).await,
        }
    });
    background.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "polychat {command} failed");
            eprintln!("polychat {command} failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: AppConfig, background: Handle) -> anyhow::Result<()> {
    let state = wiring::build_state(&config, background).await?;
    let app = Application::build(config.http_addr, config.http_workers, state)?;
    tracing::info!(addr = %config.http_addr, port = app.port(), "polychat listening");
    app.run_until_stopped().await?;
    tracing::info!("polychat stopped");
    Ok(())
}
