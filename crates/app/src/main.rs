//! The `polychat` command: `serve` (the default) runs the HTTP API, `migrate` applies
//! the database migrations, `rotate-keys` re-encrypts stored API keys with the current
//! master key, `admin grant|revoke USERNAME` gives or takes the admin role, `health`
//! asks the server on `HTTP_ADDR` for `GET /health` (the container's health check: the
//! image has no curl) and exits 0 only on a 200. `--help`
//! on any of them says the same; a bad command line exits 2 with a usage line.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use polychat_app::config::{AppConfig, Source};
use polychat_app::{server::Application, telemetry, wiring};
use polychat_domain::AccountRole;
use tokio::runtime::Handle;

/// The polychat chat backend. Its configuration comes from the environment and `.env`
/// (README.md, "Configuration").
#[derive(Debug, Parser)]
#[command(name = "polychat", version)]
struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API until SIGTERM or SIGINT.
    Serve {
        #[arg(
            long,
            value_name = "IP:PORT",
            help = "The address to listen on [default: HTTP_ADDR, else 127.0.0.1:8080]"
        )]
        addr: Option<SocketAddr>,
    },
    /// Apply the database migrations.
    Migrate,
    #[command(about = "Re-encrypt the stored secrets with the current APP_MASTER_KEY")]
    RotateKeys,
    #[command(about = "Exit 0 when the server on HTTP_ADDR answers GET /health with 200, else 1")]
    Health,
    /// Give or take the admin role.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Debug, Subcommand)]
enum AdminAction {
    /// Make USERNAME an admin.
    Grant { username: String },
    /// Make USERNAME a plain user again.
    Revoke { username: String },
}

/// A command ready to run: `serve` holds its bound listener.
enum Job {
    Serve(TcpListener),
    Migrate,
    RotateKeys,
    SetRole(AccountRole, String),
}

impl Job {
    fn name(&self) -> &'static str {
        match self {
            Self::Serve(_) => "serve",
            Self::Migrate => "migrate",
            Self::RotateKeys => "rotate-keys",
            Self::SetRole(..) => "admin",
        }
    }
}

fn main() -> ExitCode {
    // `--help` and `--version` print and exit 0; a bad command line prints the error
    // and the usage line and exits 2.
    let command = Cli::parse()
        .command
        .unwrap_or(Command::Serve { addr: None });
    let mut config = match Source::from_process(Path::new(".env")).and_then(|s| AppConfig::load(&s))
    {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    if let Command::Serve { addr: Some(addr) } = command {
        config.server.addr = addr;
    }
    let job = match command {
        // Bound before anything else, so a taken address is the first and only error.
        Command::Serve { .. } => match TcpListener::bind(config.server.addr) {
            Ok(listener) => Job::Serve(listener),
            Err(error) => {
                eprintln!(
                    "polychat serve failed: cannot listen on {}: {error}",
                    config.server.addr
                );
                return ExitCode::FAILURE;
            }
        },
        Command::Migrate => Job::Migrate,
        Command::Health => return health(config.server.addr),
        Command::RotateKeys => Job::RotateKeys,
        Command::Admin {
            action: AdminAction::Grant { username },
        } => Job::SetRole(AccountRole::Admin, username),
        Command::Admin {
            action: AdminAction::Revoke { username },
        } => Job::SetRole(AccountRole::User, username),
    };
    let name = job.name();
    telemetry::init(&config.server);
    // Turns and other background tasks get threads of their own, beside the HTTP
    // workers; the runtime outlives the server so shutdown can drain it.
    let background = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.server.workers)
        .thread_name("polychat-tasks")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("polychat {name} failed: cannot start the task runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let handle = background.handle().clone();
    let outcome = actix_web::rt::System::new().block_on(async {
        match job {
            Job::Serve(listener) => serve(config, listener, handle).await,
            Job::Migrate => wiring::migrate(&config).await,
            Job::RotateKeys => wiring::rotate_keys(&config).await,
            Job::SetRole(role, username) => wiring::set_role(&config, &username, role).await,
        }
    });
    background.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "polychat {name} failed");
            eprintln!("polychat {name} failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `GET /health` on `addr` (the loopback address when it is the unspecified one),
/// within a few seconds: the exit code a container health check wants.
fn health(addr: SocketAddr) -> ExitCode {
    use std::io::{Read as _, Write as _};
    let mut target = addr;
    if target.ip().is_unspecified() {
        target.set_ip(match target {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let limit = Duration::from_secs(3);
    let answer = std::net::TcpStream::connect_timeout(&target, limit).and_then(|mut stream| {
        stream.set_read_timeout(Some(limit))?;
        stream.set_write_timeout(Some(limit))?;
        stream.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
        let mut head = [0_u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head)
    });
    match answer {
        Ok(head) if head.starts_with(b"HTTP/1.") && &head[8..] == b" 200" => ExitCode::SUCCESS,
        Ok(head) => {
            eprintln!(
                "polychat health: {target} answered {:?}",
                String::from_utf8_lossy(&head)
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("polychat health: no answer from {target}: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: AppConfig, listener: TcpListener, background: Handle) -> anyhow::Result<()> {
    let state = wiring::build_state(&config, background).await?;
    let app = Application::build(listener, config.server.workers, state)
        .with_context(|| format!("serving on {}", config.server.addr))?;
    tracing::info!(addr = %config.server.addr, port = app.port(), "polychat listening");
    app.run_until_stopped().await?;
    tracing::info!("polychat stopped");
    Ok(())
}
