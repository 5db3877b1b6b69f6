//! The `polychat` binary's command line, spawned as a user runs it, and the `.env`
//! format the service and the scripts share.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const JWT: &str = "0123456789abcdef0123456789abcdef";

/// A directory of its own under the system's temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("polychat-cli-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `polychat ARGS` in an empty directory (no `.env`) with only `vars` set; fails the
/// test when it runs longer than a few seconds.
fn polychat(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let scratch = Scratch::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_polychat"))
        .args(args)
        .current_dir(&scratch.0)
        .env_clear()
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn polychat");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("poll polychat").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("polychat {args:?} still runs after 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("polychat's output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_exits_0_and_a_bad_command_line_exits_2_with_the_usage() {
    for args in [&["--help"][..], &["serve", "--help"], &["admin", "--help"]] {
        let out = polychat(args, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let help = text(&out.stdout);
        assert!(help.contains("Usage: polychat"), "{args:?}: {help}");
    }
    let help = text(&polychat(&["--help"], &[]).stdout);
    for command in ["serve", "migrate", "rotate-keys", "admin"] {
        assert!(help.contains(command), "--help lists {command}: {help}");
    }
    assert!(text(&polychat(&["serve", "--help"], &[]).stdout).contains("--addr"));

    for args in [
        &["--bogus"][..],
        &["serve", "--bogus"],
        &["migrate", "extra"],
        &["admin", "grant"],
        &["admin", "promote", "ana"],
        &["nothing"],
    ] {
        let out = polychat(args, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("Usage: polychat"), "{args:?}: {stderr}");
    }
    let out = polychat(&["serve", "--addr", "not-an-address"], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'not-an-address' for '--addr"), "{stderr}");
}

#[test]
fn serve_on_a_taken_address_names_it_before_contacting_any_store() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // Every store points at a listener of the test's: a connection attempt would show.
    let stores = TcpListener::bind("127.0.0.1:0").unwrap();
    stores.set_nonblocking(true).unwrap();
    let port = stores.local_addr().unwrap().port();
    let database_url = format!("postgres://polychat:polychat@127.0.0.1:{port}/polychat");
    let mongodb_url = format!("mongodb://127.0.0.1:{port}");
    let redis_url = format!("redis://127.0.0.1:{port}");
    let embeddings_url = format!("http://127.0.0.1:{port}/v1");
    let out = polychat(
        &["serve", "--addr", &addr],
        &[
            ("APP_MASTER_KEY", KEY),
            ("JWT_SECRET", JWT),
            // `--addr` wins over HTTP_ADDR.
            ("HTTP_ADDR", "127.0.0.1:1"),
            ("DATABASE_URL", &database_url),
            ("MONGODB_URL", &mongodb_url),
            ("REDIS_URL", &redis_url),
            ("EMBEDDINGS_BASE_URL", &embeddings_url),
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")) && stderr.contains("in use"),
        "the error names the address: {stderr}"
    );
    match stores.accept() {
        Err(error) if error.kind() == ErrorKind::WouldBlock => {}
        other => panic!("polychat contacted a store before binding: {other:?}"),
    }
}

/// The `.env` variables `deploy/local/with-env.sh` gives a command, run from a copy of
/// the project layout whose `.env` is `dotenv`; `Err` with its message when it refuses.
fn with_env_script(dotenv: &str) -> Result<HashMap<String, String>, String> {
    let scratch = Scratch::new();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/local/with-env.sh");
    std::fs::create_dir_all(scratch.0.join("deploy/local")).expect("a project layout");
    std::fs::copy(script, scratch.0.join("deploy/local/with-env.sh")).expect("copy with-env.sh");
    std::fs::write(scratch.0.join(".env"), dotenv).expect("write .env");
    let out = Command::new("bash")
        .arg(scratch.0.join("deploy/local/with-env.sh"))
        .args(["env", "-0"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("run with-env.sh");
    if !out.status.success() {
        return Err(text(&out.stderr));
    }
    Ok(text(&out.stdout)
        .split('\0')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect())
}

#[test]
fn the_service_and_the_scripts_read_dotenv_the_same_way() {
    let dotenv = "# a comment\n\n  \t# indented\r\nPLAIN=1\r\n SPACED = two words \n\
                  HASH=\"quoted # not a comment\"\nSINGLE='it''s'\nBARE=a#b $HOME \\n \"x\"\n\
                  LONE=\"\nMIXED=\"mis'\nEMPTY=\nPLAIN=last\nINNER=\"say \"hi\"\"";
    let service: HashMap<String, String> = polychat_app::dotenv::parse(dotenv)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(service["SPACED"], "two words");
    assert_eq!(service["HASH"], "quoted # not a comment");
    assert_eq!(service["BARE"], "a#b $HOME \\n \"x\"");
    assert_eq!(service["PLAIN"], "last");
    assert_eq!(service["INNER"], "say \"hi\"");
    let scripts = with_env_script(dotenv).unwrap();
    for (name, value) in &service {
        assert_eq!(scripts.get(name), Some(value), "{name}");
    }

    for bad in ["A=1\nnot a pair\n", "1A=x\n", "A B=x\n"] {
        let service = polychat_app::dotenv::parse(bad).unwrap_err().to_string();
        let scripts = with_env_script(bad).unwrap_err();
        let line = service.split(':').next().unwrap();
        assert!(scripts.contains(line), "{bad:?}: {service} / {scripts}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn health_exits_0_while_the_server_answers_and_1_when_it_does_not() {
    let app = crate::harness::TestApp::spawn().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
    let nobody = closed.local_addr().expect("address").to_string();
    drop(closed);
    let run = |addr: String| {
        tokio::task::spawn_blocking(move || {
            polychat(
                &["health"],
                &[
                    ("HTTP_ADDR", &addr),
                    ("APP_MASTER_KEY", KEY),
                    ("JWT_SECRET", JWT),
                ],
            )
        })
    };
    let up = run(addr).await.expect("polychat health");
    assert_eq!(up.status.code(), Some(0), "{}", text(&up.stderr));
    let down = run(nobody).await.expect("polychat health");
    assert_eq!(down.status.code(), Some(1));
    assert!(
        text(&down.stderr).contains("no answer"),
        "{}",
        text(&down.stderr)
    );
}
