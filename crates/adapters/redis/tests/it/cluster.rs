//! A Redis Cluster of three masters on loopback, made for the test: every contract suite
//! passes through a `redis-cluster://` URL, so no script touches keys of two hash slots
//! (the cluster would answer CROSSSLOT), and the adapter's keys spread over all masters.
//! The same over `rediss-cluster://`, on a cluster that speaks TLS only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fred::interfaces::LuaInterface;
use polychat_domain::ChatId;
use polychat_domain::ports::ChatCache;
use polychat_redis::connect;

use crate::servers::{Process, ScratchDir, free_ports, redis_cli, redis_server, run};
use crate::tls::make_certificates;
use crate::{config, raw_client};

/// Three `redis-server --cluster-enabled yes` joined by `redis-cli --cluster create`,
/// every slot served; the processes and their directory go on drop.
struct Cluster {
    ports: [u16; 3],
    /// With TLS, the CA that issued the nodes' certificate.
    ca_file: Option<PathBuf>,
    _nodes: Vec<Process>,
    _dir: ScratchDir,
}

/// `redis-server` arguments for TLS only (clients and the cluster bus) with the
/// certificates in `dir`.
fn tls_arguments(dir: &Path) -> Vec<String> {
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    [
        "--tls-cluster",
        "yes",
        "--tls-cert-file",
        &file("server.crt"),
        "--tls-key-file",
        &file("server.key"),
        "--tls-ca-cert-file",
        &file("ca.crt"),
        "--tls-auth-clients",
        "no",
    ]
    .map(str::to_owned)
    .to_vec()
}

impl Cluster {
    fn start(tls: bool) -> Self {
        let dir = ScratchDir::new("redis-cluster");
        if tls {
            make_certificates(dir.path());
        }
        let [a, b, c, bus_a, bus_b, bus_c] = free_ports::<6>();
        let ports = [a, b, c];
        let nodes = ports
            .into_iter()
            .zip([bus_a, bus_b, bus_c])
            .map(|(port, bus)| {
                let nodes_file = dir.path().join(format!("nodes-{port}.conf"));
                let mut command = redis_server();
                if tls {
                    command
                        .args(["--port", "0", "--tls-port", &port.to_string()])
                        .args(tls_arguments(dir.path()));
                } else {
                    command.args(["--port", &port.to_string()]);
                }
                command
                    .args(["--bind", "127.0.0.1"])
                    .args(["--cluster-enabled", "yes"])
                    .args(["--cluster-port", &bus.to_string()])
                    .arg("--cluster-config-file")
                    .arg(nodes_file)
                    .arg("--dir")
                    .arg(dir.path())
                    .args(["--save", "", "--appendonly", "no"]);
                Process::listening(command, port)
            })
            .collect();
        let cluster = Self {
            ports,
            ca_file: tls.then(|| dir.path().join("ca.crt")),
            _nodes: nodes,
            _dir: dir,
        };
        let addresses = ports.map(|port| format!("127.0.0.1:{port}"));
        run(cluster
            .redis_cli()
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"]));
        cluster.wait_until_ok();
        cluster
    }

    /// `redis-cli`, over TLS when the cluster speaks it.
    fn redis_cli(&self) -> Command {
        let mut command = redis_cli();
        if let Some(ca_file) = &self.ca_file {
            command.arg("--tls").arg("--cacert").arg(ca_file);
        }
        command
    }

    /// `redis-cli -p <port> <args…>` on one node.
    fn cli(&self, port: u16, args: &[&str]) -> String {
        run(self
            .redis_cli()
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args))
    }

    /// Until every node sees every slot served (the nodes learn it by gossip).
    fn wait_until_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for port in self.ports {
            while !self
                .cli(port, &["cluster", "info"])
                .contains("cluster_state:ok")
            {
                assert!(Instant::now() < deadline, "the cluster never became ok");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    fn url(&self) -> String {
        let [first, second, third] = self.ports;
        let scheme = if self.ca_file.is_some() {
            "rediss-cluster"
        } else {
            "redis-cluster"
        };
        format!("{scheme}://127.0.0.1:{first}?node=127.0.0.1:{second}&node=127.0.0.1:{third}")
    }

    fn keys_on(&self, port: u16) -> u64 {
        self.cli(port, &["dbsize"])
            .trim()
            .parse()
            .expect("DBSIZE is a number")
    }
}

/// Every contract on `cluster`, then keys of the adapter on every master.
async fn every_contract_on(cluster: &Cluster) {
    let mut settings = config(&cluster.url(), "cluster:");
    settings.tls_ca_file.clone_from(&cluster.ca_file);
    let redis = connect(&settings).await.expect("connect to the cluster");
    crate::contracts::every_contract(&redis).await;

    for _ in 0..40 {
        redis
            .invalidate(ChatId::generate())
            .await
            .expect("invalidate");
    }
    for port in cluster.ports {
        assert!(
            cluster.keys_on(port) > 0,
            "the master on {port} holds no key"
        );
    }
}

#[tokio::test]
async fn every_contract_holds_on_a_three_master_cluster() {
    let cluster = Cluster::start(false);
    // The cluster enforces slots: the same call over two slots must fail, or the
    // contracts passing would prove nothing.
    let raw = raw_client(&cluster.url()).await;
    let across: Result<i64, _> = raw
        .eval("return 1", vec!["cluster:a", "cluster:b"], ())
        .await;
    assert!(across.is_err(), "a script over two slots ran: {across:?}");
    every_contract_on(&cluster).await;
}

#[tokio::test]
async fn every_contract_holds_on_a_tls_cluster() {
    every_contract_on(&Cluster::start(true)).await;
}
