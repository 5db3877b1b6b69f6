//! A TCP proxy in front of the real server that a test can cut and restore, to play a
//! server that goes away and comes back without touching the shared one.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

#[derive(Debug)]
pub(crate) struct Proxy {
    port: u16,
    target: SocketAddr,
    running: Option<JoinHandle<()>>,
}

impl Proxy {
    pub(crate) async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local address").port();
        let running = Some(tokio::spawn(serve(listener, target)));
        Self {
            port,
            target,
            running,
        }
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Closes the listener and every open connection.
    pub(crate) fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort();
        }
    }

    /// Listens again on the same port.
    pub(crate) async fn restart(&mut self) {
        self.stop();
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind again");
        self.running = Some(tokio::spawn(serve(listener, self.target)));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Forwards every accepted connection; aborting this task drops the set, which
/// aborts (and so closes) every forwarded connection too.
async fn serve(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    while let Ok((mut client, _)) = listener.accept().await {
        connections.spawn(async move {
            if let Ok(mut server) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            }
        });
    }
}
