//! `rediss://` on a TLS-only `redis-server` (`--port 0`) with a throwaway CA made by
//! `openssl`: the adapter connects and works over TLS once the CA is trusted, and fails
//! to connect in plaintext, without the CA, or with a CA but a plain URL.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use polychat_domain::ChatId;
use polychat_domain::ports::{CacheLookup, ChatCache, ChatPageKey, HealthProbe};
use polychat_redis::{ConnectError, RedisConfig, connect};
use polychat_testkit::cache::chat_cache_contract;

use crate::config;
use crate::servers::{Process, ScratchDir, free_port, redis_server, run};

/// A CA (`ca.crt`) and a certificate it issued for 127.0.0.1 and localhost
/// (`server.crt`, `server.key`), in `dir`. Cluster nodes present it to each other too,
/// hence client authentication among its uses.
pub(crate) fn make_certificates(dir: &Path) {
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let openssl = || {
        let mut command = Command::new("openssl");
        command.current_dir(dir);
        command
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    run(openssl()
        .args(["req", "-x509", "-nodes", "-days", "1"])
        .args(ec)
        .args(["-keyout", &file("ca.key"), "-out", &file("ca.crt")])
        .args(["-subj", "/CN=polychat test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
    run(openssl()
        .args(["req", "-nodes"])
        .args(ec)
        .args(["-keyout", &file("server.key"), "-out", &file("server.csr")])
        .args(["-subj", "/CN=localhost"]));
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n\
         basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth,clientAuth\n",
    )
    .expect("write the extensions");
    run(openssl()
        .args(["x509", "-req", "-days", "1", "-in", &file("server.csr")])
        .args(["-CA", &file("ca.crt"), "-CAkey", &file("ca.key")])
        .args(["-CAcreateserial", "-out", &file("server.crt")])
        .args(["-extfile", &file("server.ext")]));
}

/// A `redis-server` that speaks TLS only, with its certificates; all gone on drop.
struct TlsServer {
    port: u16,
    _process: Process,
    dir: ScratchDir,
}

impl TlsServer {
    fn start() -> Self {
        let dir = ScratchDir::new("redis-tls");
        make_certificates(dir.path());
        let port = free_port();
        let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let mut command = redis_server();
        command
            .args(["--port", "0", "--tls-port", &port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--tls-cert-file", &file("server.crt")])
            .args(["--tls-key-file", &file("server.key")])
            .args(["--tls-ca-cert-file", &file("ca.crt")])
            .args(["--tls-auth-clients", "no"]);
        let process = Process::listening(command, port);
        Self {
            port,
            _process: process,
            dir,
        }
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// Settings for `scheme://127.0.0.1:port`, failing fast when they cannot connect.
    fn config(&self, scheme: &str, ca_file: Option<PathBuf>) -> RedisConfig {
        let mut settings = config(&format!("{scheme}://127.0.0.1:{}", self.port), "tls:");
        settings.tls_ca_file = ca_file;
        settings.connect_timeout = Duration::from_secs(1);
        settings
    }
}

#[tokio::test]
async fn rediss_with_the_ca_trusted_connects_over_tls_and_works() {
    let server = TlsServer::start();
    let redis = connect(&server.config("rediss", Some(server.ca_file())))
        .await
        .expect("connect over TLS");
    assert_eq!(redis.check().await, Ok(()));
    let chat = ChatId::generate();
    let page = ChatPageKey {
        limit: 10,
        before: None,
    };
    let CacheLookup::Miss { generation } = redis.get(chat, page).await.unwrap() else {
        panic!("a new server is empty");
    };
    redis.put(chat, page, generation, b"secret").await.unwrap();
    assert_eq!(
        redis.get(chat, page).await.unwrap(),
        CacheLookup::Hit(b"secret".to_vec())
    );
    chat_cache_contract(&redis).await;
}

#[tokio::test]
async fn plaintext_and_an_untrusted_certificate_are_refused() {
    let server = TlsServer::start();
    for (scheme, ca_file, what) in [
        ("redis", None, "a plain redis:// URL"),
        ("rediss", None, "TLS without the CA (system roots only)"),
    ] {
        let started = Instant::now();
        let result = connect(&server.config(scheme, ca_file)).await;
        assert!(
            matches!(
                result,
                Err(ConnectError::Unreachable(_) | ConnectError::TimedOut(_))
            ),
            "{what}: {result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what} failed fast: {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn a_ca_file_with_a_plain_url_or_no_certificate_is_invalid() {
    let server = TlsServer::start();
    let plain = connect(&server.config("redis", Some(server.ca_file()))).await;
    assert!(matches!(plain, Err(ConnectError::Tls(_))), "{plain:?}");

    let missing = server.dir.path().join("missing.crt");
    let result = connect(&server.config("rediss", Some(missing))).await;
    assert!(matches!(result, Err(ConnectError::Tls(_))), "{result:?}");

    let not_a_certificate = server.dir.path().join("server.ext");
    let result = connect(&server.config("rediss", Some(not_a_certificate))).await;
    assert!(matches!(result, Err(ConnectError::Tls(_))), "{result:?}");
}
