//! A Redis Cluster of three masters on loopback, made for the test: every contract suite
//! passes through a `redis-cluster://` URL, so no script touches keys of two hash slots
//! (the cluster would answer CROSSSLOT), and the adapter's keys spread over all masters.

use std::time::{Duration, Instant};

use fred::interfaces::LuaInterface;
use polychat_domain::ChatId;
use polychat_domain::ports::ChatCache;
use polychat_redis::connect;

use crate::servers::{Process, ScratchDir, free_ports, redis_cli, redis_server, run};
use crate::{config, raw_client};

/// Three `redis-server --cluster-enabled yes` joined by `redis-cli --cluster create`,
/// every slot served; the processes and their directory go on drop.
struct Cluster {
    ports: [u16; 3],
    _nodes: Vec<Process>,
    _dir: ScratchDir,
}

impl Cluster {
    fn start() -> Self {
        let dir = ScratchDir::new("redis-cluster");
        let [a, b, c, bus_a, bus_b, bus_c] = free_ports::<6>();
        let ports = [a, b, c];
        let nodes = ports
            .into_iter()
            .zip([bus_a, bus_b, bus_c])
            .map(|(port, bus)| {
                let nodes_file = dir.path().join(format!("nodes-{port}.conf"));
                let mut command = redis_server();
                command
                    .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
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
            _nodes: nodes,
            _dir: dir,
        };
        let addresses = ports.map(|port| format!("127.0.0.1:{port}"));
        run(redis_cli()
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"]));
        cluster.wait_until_ok();
        cluster
    }

    /// `redis-cli -p <port> <args…>` on one node.
    fn cli(port: u16, args: &[&str]) -> String {
        run(redis_cli()
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args))
    }

    /// Until every node sees every slot served (the nodes learn it by gossip).
    fn wait_until_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for port in self.ports {
            while !Self::cli(port, &["cluster", "info"]).contains("cluster_state:ok") {
                assert!(Instant::now() < deadline, "the cluster never became ok");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    fn url(&self) -> String {
        let [first, second, third] = self.ports;
        format!("redis-cluster://127.0.0.1:{first}?node=127.0.0.1:{second}&node=127.0.0.1:{third}")
    }

    fn keys_on(port: u16) -> u64 {
        Self::cli(port, &["dbsize"])
            .trim()
            .parse()
            .expect("DBSIZE is a number")
    }
}

#[tokio::test]
async fn every_contract_holds_on_a_three_master_cluster() {
    let cluster = Cluster::start();
    let redis = connect(&config(&cluster.url(), "cluster:"))
        .await
        .expect("connect to the cluster");

    // The cluster enforces slots: the same call over two slots must fail, or the
    // contracts passing would prove nothing.
    let raw = raw_client(&cluster.url()).await;
    let across: Result<i64, _> = raw
        .eval("return 1", vec!["cluster:a", "cluster:b"], ())
        .await;
    assert!(across.is_err(), "a script over two slots ran: {across:?}");

    crate::contracts::every_contract(&redis).await;

    for _ in 0..40 {
        redis
            .invalidate(ChatId::generate())
            .await
            .expect("invalidate");
    }
    for port in cluster.ports {
        assert!(
            Cluster::keys_on(port) > 0,
            "the master on {port} holds no key"
        );
    }
}
