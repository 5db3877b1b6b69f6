//! The actix-web server: middleware, extractor limits, routes, and graceful shutdown.
//! On SIGTERM/SIGINT the server stops accepting and lets requests in flight finish;
//! background tasks (generations whose client left, indexing) get the same grace, and
//! generations still running shortly before it ends are told to stop and store what
//! they have, so no answer is left empty without a word.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi as _;

use tokio::time::Instant;

use crate::http::extract::{self, AllowedMethods};
use crate::http::hardening::hardening;
use crate::http::request_context::request_context;
use crate::state::AppState;
use crate::tasks::BackgroundTasks;
use crate::webui::WebAssets;
use crate::{openapi, routes, webui};

/// How long in-flight requests (streams included) get to finish on shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// What generations still running get, out of the grace, to store their answer.
const FINISH_MARGIN: Duration = Duration::from_secs(5);

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    tasks: Arc<BackgroundTasks>,
}

/// Sends small writes (an SSE event, a short JSON answer) at once: with Nagle's
/// algorithm on, a write that follows the headers waits for the client's delayed ACK,
/// about 40 ms on Linux, which would land on every stream's first token.
fn disable_nagle(connection: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
        && let Err(error) = tcp.set_nodelay(true)
    {
        tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
    }
}

impl Application {
    /// Prepares the server on `listener`, already bound (the caller binds first, so
    /// a taken address fails before any store is contacted), with `workers` HTTP
    /// worker threads.
    pub fn build(listener: TcpListener, workers: usize, state: AppState) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let tasks = state.tasks.clone();
        let request_timeout = state.request_timeout;
        let state = web::Data::new(state);
        let assets = web::Data::new(WebAssets::load());
        let document = openapi::served(&state.sectors);
        let allowed = web::Data::new(AllowedMethods::from_document(&openapi::ApiDoc::openapi()));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(allowed.clone())
                .app_data(crate::http::input::payload_config())
                .wrap(from_fn(hardening))
                .wrap(from_fn(request_context))
                .configure(routes::config)
                .configure(|cfg| openapi::config(cfg, document.clone()))
                .configure(|cfg| webui::config(cfg, &assets))
                .default_service(web::to(extract::not_found))
        })
        .on_connect(disable_nagle)
        // A client gets this long for the headers (then 408 and the connection is
        // closed); the body has its own deadline of the same length (`http::input`).
        .client_request_timeout(request_timeout)
        .client_disconnect_timeout(Duration::from_secs(1))
        .workers(workers)
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            tasks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let tasks = self.tasks.clone();
        let mut server = tokio::spawn(self.server);
        tokio::select! {
            ended = &mut server => return ended.map_err(std::io::Error::other)?,
            () = shutdown_signal() => tracing::info!("shutting down"),
        }
        let grace_ends = Instant::now() + SHUTDOWN_GRACE;
        let stop_at = grace_ends - FINISH_MARGIN;
        let stopping_server = handle.stop(true);
        let generations = async {
            let left = tasks.drain(stop_at).await;
            if left > 0 {
                tracing::warn!(
                    tasks = left,
                    "stopping background tasks that outlast the grace"
                );
                tasks.stop_generations();
            }
        };
        futures_util::future::join(stopping_server, generations).await;
        let left = tasks.drain(grace_ends).await;
        if left > 0 {
            tracing::error!(tasks = left, "background tasks still running at exit");
        }
        server.await.map_err(std::io::Error::other)?
    }
}

/// Completes at the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut terminate) => {
                    terminate.recv().await;
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
