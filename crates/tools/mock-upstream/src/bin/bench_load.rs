//! `bench-load`: the open-loop load generator of `make bench` (see `load`); prints one
//! JSON report.
//!
//! `--url http://127.0.0.1:8080 --method POST --path /chat --body-file b.json
//! --tokens tokens.txt --rate 500 --duration 10 --warmup 2 [--stream]`, or
//! `--targets file` with `token<TAB>path[<TAB>body]` lines to vary the request (a line's
//! body replaces `--body`). `--header 'Name: value'`, repeatable, adds a header to every
//! request.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use polychat_mock_upstream::cli::Args;
use polychat_mock_upstream::load::{self, Plan, Target};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

fn targets(args: &Args) -> anyhow::Result<Vec<Target>> {
    if let Some(file) = args.text("targets") {
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
        let targets: Vec<Target> = text
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
        anyhow::ensure!(!targets.is_empty(), "{file} lists no targets");
        return Ok(targets);
    }
    let path = args.text("path").unwrap_or_else(|| "/".to_owned());
    let tokens: Vec<Option<String>> = match (args.text("tokens"), args.text("token")) {
        (Some(file), _) => std::fs::read_to_string(&file)
            .with_context(|| format!("reading {file}"))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Some(l.trim().to_owned()))
            .collect(),
        (None, token) => vec![token],
    };
    anyhow::ensure!(!tokens.is_empty(), "no tokens");
    Ok(tokens
        .into_iter()
        .map(|token| Target {
            token,
            path: path.clone(),
            body: None,
        })
        .collect())
}

fn headers(args: &Args) -> anyhow::Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for header in args.all("header") {
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

fn plan() -> anyhow::Result<Plan> {
    let args = Args::parse(std::env::args().skip(1))?;
    let body = match (args.text("body-file"), args.text("body")) {
        (Some(file), _) => Some(Bytes::from(
            std::fs::read(&file).with_context(|| format!("reading {file}"))?,
        )),
        (None, body) => body.map(Bytes::from),
    };
    let method: String = args.get("method", None, "GET".to_owned())?;
    Ok(Plan {
        base_url: args.required("url")?,
        method: method.parse().context("--method")?,
        targets: targets(&args)?,
        body,
        headers: headers(&args)?,
        rate: args.get("rate", None, 100.0)?,
        duration: Duration::from_secs_f64(args.get("duration", None, 10.0)?),
        warmup: Duration::from_secs_f64(args.get("warmup", None, 2.0)?),
        connections: args.get("connections", None, 64)?,
        stream: args.get("stream", None, false)?,
        timeout: Duration::from_secs_f64(args.get("timeout", None, 30.0)?),
    })
}

// One thread: the generator shares the machine with the server and should take as
// little of it as it can; one core sends several thousand requests a second.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let plan = match plan() {
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
