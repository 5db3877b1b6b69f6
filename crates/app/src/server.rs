//! The actix-web server: middleware, extractor limits, routes, and graceful shutdown
//! (actix stops accepting on SIGTERM/SIGINT and lets requests in flight finish).

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::http::extract;
use crate::http::request_context::request_context;
use crate::state::AppState;
use crate::{openapi, routes};

/// How long in-flight requests (streams included) get to finish on shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
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
    /// Binds `addr` (port 0 picks a free port) and prepares the server with
    /// `workers` HTTP worker threads.
    pub fn build(addr: SocketAddr, workers: usize, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(state);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(extract::json_config())
                .app_data(extract::query_config())
                .wrap(from_fn(request_context))
                .configure(routes::config)
                .configure(openapi::config)
                .default_service(web::to(extract::not_found))
        })
        .on_connect(disable_nagle)
        .workers(workers)
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
