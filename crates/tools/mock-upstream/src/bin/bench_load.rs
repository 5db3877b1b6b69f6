//! `bench-load`: the open-loop load generator of `make bench` (see `load`); prints one
//! JSON report. `bench-load --help` lists the flags.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use clap::Parser;
use polychat_mock_upstream::load::{self, Plan, Target};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Sends requests at a fixed rate, whatever the answers do, and reports latency from
/// each request's due time.
#[derive(Debug, Parser)]
#[command(name = "bench-load", version)]
struct Cli {
    /// The service's base URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    url: String,
    #[arg(long, default_value = "GET")]
    method: String,
    /// The path of every request (unless --targets).
    #[arg(long, default_value = "/")]
    path: String,
    /// The body of every request (--body-file wins).
    #[arg(long)]
    body: Option<String>,
    /// A file whose bytes are the body of every request.
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// One bearer token for every request (--tokens wins).
    #[arg(long)]
    token: Option<String>,
    /// A file of bearer tokens, one a line, used in turn.
    #[arg(long)]
    tokens: Option<PathBuf>,
    /// A file of `token<TAB>path[<TAB>body]` lines (or bare paths) used in turn,
    /// instead of --path and the tokens; a line's body replaces --body.
    #[arg(long)]
    targets: Option<PathBuf>,
    /// `Name: value`, added to every request; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Requests per second.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Seconds measured.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds sent at the same rate before, not counted.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// At most this many requests in flight.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Read answers as server-sent events and time the tokens.
    #[arg(long)]
    stream: bool,
    /// Seconds before a request counts as failed.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
}

fn read(file: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))
}

fn targets(cli: &Cli) -> anyhow::Result<Vec<Target>> {
    if let Some(file) = &cli.targets {
        let targets: Vec<Target> = read(file)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut fields = line.splitn(3, '\t');
                let first = fields.next().unwrap_or_default();
                match fields.next() {
                    Some(path) => Target {
                        token: Some(first.to_owned()).filter(|t| !t.is_empty()),
                        path: path.to_owned(),
                        body: fields.next().map(|body| Bytes::from(body.to_owned())),
                    },
                    None => Target {
                        token: None,
                        path: first.to_owned(),
                        body: None,
                    },
                }
            })
            .collect();
        anyhow::ensure!(!targets.is_empty(), "{} lists no targets", file.display());
        return Ok(targets);
    }
    let tokens: Vec<Option<String>> = match &cli.tokens {
        Some(file) => read(file)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Some(l.trim().to_owned()))
            .collect(),
        None => vec![cli.token.clone()],
    };
    anyhow::ensure!(!tokens.is_empty(), "no tokens");
    Ok(tokens
        .into_iter()
        .map(|token| Target {
            token,
            path: cli.path.clone(),
            body: None,
        })
        .collect())
}

fn headers(cli: &Cli) -> anyhow::Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for header in &cli.headers {
        let (name, value) = header
            .split_once(':')
            .with_context(|| format!("--header {header:?} is not 'Name: value'"))?;
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).context("--header name")?,
            HeaderValue::from_str(value.trim()).context("--header value")?,
        );
    }
    Ok(headers)
}

fn seconds(flag: &str, value: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value).with_context(|| format!("--{flag} {value}"))
}

fn plan(cli: Cli) -> anyhow::Result<Plan> {
    let body = match &cli.body_file {
        Some(file) => Some(Bytes::from(
            std::fs::read(file).with_context(|| format!("reading {}", file.display()))?,
        )),
        None => cli.body.clone().map(Bytes::from),
    };
    Ok(Plan {
        method: cli.method.parse().context("--method")?,
        targets: targets(&cli)?,
        body,
        headers: headers(&cli)?,
        rate: cli.rate,
        duration: seconds("duration", cli.duration)?,
        warmup: seconds("warmup", cli.warmup)?,
        connections: cli.connections,
        stream: cli.stream,
        timeout: seconds("timeout", cli.timeout)?,
        base_url: cli.url,
    })
}

// One thread: the generator shares the machine with the server and should take as
// little of it as it can; one core sends several thousand requests a second.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let plan = match plan(Cli::parse()) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("bench-load: {error:#}");
            return ExitCode::from(2);
        }
    };
    match load::run(plan).await {
        Ok(report) => match serde_json::to_string_pretty(&report) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("bench-load: {error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("bench-load: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn flags_parse_and_unknown_ones_are_refused() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "bench-load",
            "--url",
            "http://x",
            "--stream",
            "--header",
            "X-A: 1",
            "--header",
            "X-B: 2",
            "--rate",
            "5",
        ])
        .unwrap();
        let plan = plan(cli).unwrap();
        assert!(plan.stream);
        assert_eq!(plan.headers.len(), 2);
        assert!(
            Cli::try_parse_from(["bench-load"]).is_err(),
            "--url is required"
        );
        let error =
            Cli::try_parse_from(["bench-load", "--url", "http://x", "--bogus"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument);
    }
}
