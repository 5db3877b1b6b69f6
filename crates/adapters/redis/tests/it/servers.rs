//! Private `redis-server` processes for the tests that need a server of their own
//! (outages, TLS, a cluster): free ports, a scratch directory, and processes killed
//! when their guard drops, so a failing test leaves none behind.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `redis-server` (`REDIS_SERVER_BIN`, default from `PATH`; Debian's redis-server
/// package puts it in /usr/bin).
pub(crate) fn redis_server() -> Command {
    Command::new(std::env::var("REDIS_SERVER_BIN").unwrap_or_else(|_| "redis-server".to_owned()))
}

/// `redis-cli` (`REDIS_CLI_BIN`, default from `PATH`).
pub(crate) fn redis_cli() -> Command {
    Command::new(std::env::var("REDIS_CLI_BIN").unwrap_or_else(|_| "redis-cli".to_owned()))
}

pub(crate) fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` distinct ports free on loopback: all held at once while they are picked, so no
/// two are the same.
pub(crate) fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: [_; N] =
        std::array::from_fn(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
    listeners.map(|listener| listener.local_addr().expect("local address").port())
}

/// A child process, killed and reaped on drop.
pub(crate) struct Process(Option<Child>);

impl Process {
    /// Starts `command` (its output discarded) and waits until `port` accepts
    /// connections.
    pub(crate) fn listening(mut command: Command, port: u16) -> Self {
        let child = command
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (set REDIS_SERVER_BIN)");
        let process = Self(Some(child));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        process
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // Already gone is fine: only a process still running needs the signal.
            let _ = child.kill();
            child.wait().expect("reap redis-server");
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A fresh directory under the system's temporary one, removed on drop.
pub(crate) struct ScratchDir(PathBuf);

impl ScratchDir {
    pub(crate) fn new(purpose: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "polychat-{purpose}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).expect("create a scratch directory");
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover file in /tmp must not turn a passing test into a panic.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a command to completion and returns its standard output; panics with its
/// standard error if it fails.
pub(crate) fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
