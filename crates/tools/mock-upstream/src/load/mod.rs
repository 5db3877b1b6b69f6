//! An open-loop load generator: request `i` is due at `start + i / rate` whatever
//! happened to the earlier ones, and its latency is measured from that due time, so
//! time spent waiting for a free connection behind a slow response counts (the
//! correction for coordinated omission). Requests rotate over a list of targets, each
//! with its own bearer token, so per-user limits see many users.

mod sse;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Client, Method};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::stats::{Summary, summarize};
pub use sse::TokenScanner;

/// One request shape: a path (with query), the token to send it with, and a body of
/// its own (else the plan's).
#[derive(Debug, Clone)]
pub struct Target {
    pub token: Option<String>,
    pub path: String,
    pub body: Option<Bytes>,
}

/// What to send, how fast and for how long.
#[derive(Debug, Clone)]
pub struct Plan {
    pub base_url: String,
    pub method: Method,
    pub targets: Vec<Target>,
    pub body: Option<Bytes>,
    /// Sent with every request (besides the target's bearer token).
    pub headers: HeaderMap,
    pub rate: f64,
    pub duration: Duration,
    /// Sent at the same rate before `duration`, not counted.
    pub warmup: Duration,
    /// At most this many requests in flight (connections in the pool).
    pub connections: usize,
    /// Read the body as server-sent events and time the tokens.
    pub stream: bool,
    pub timeout: Duration,
}

/// What one request saw, in microseconds.
#[derive(Debug, Default)]
struct Sample {
    counted: bool,
    done_after_start: Duration,
    latency: u64,
    status: Option<u16>,
    error: Option<&'static str>,
    ttft: Option<u64>,
    gaps: Vec<u64>,
    server: Option<u64>,
    /// The service's other `Server-Timing` metrics, same names summed.
    steps: BTreeMap<String, u64>,
    cache_hit: Option<bool>,
}

/// The outcome of a run.
#[derive(Debug, Serialize)]
pub struct Report {
    pub target_rps: f64,
    pub duration_s: f64,
    pub requests: usize,
    pub ok: usize,
    pub errors: usize,
    pub error_rate: f64,
    pub achieved_rps: f64,
    pub status: BTreeMap<String, usize>,
    pub error_kinds: BTreeMap<String, usize>,
    pub latency_ms: Summary,
    pub ttft_ms: Option<Summary>,
    pub gap_ms: Option<Summary>,
    /// The service's own `Server-Timing` figure, when it sent one.
    pub server_ms: Option<Summary>,
    /// Each further `Server-Timing` metric (a step of the request), over the successful
    /// requests that reported it.
    pub server_steps_ms: BTreeMap<String, Summary>,
    pub cache_hits: usize,
    pub cache_misses: usize,
}

/// Runs the plan and summarises what was measured after the warm-up.
pub async fn run(plan: Plan) -> Result<Report, reqwest::Error> {
    let client = Client::builder()
        .pool_max_idle_per_host(plan.connections)
        .tcp_nodelay(true)
        .timeout(plan.timeout)
        .build()?;
    let plan = Arc::new(plan);
    let permits = Arc::new(Semaphore::new(plan.connections.max(1)));
    let total_secs = (plan.warmup + plan.duration).as_secs_f64();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let total = (plan.rate * total_secs).round() as u64;
    let start = Instant::now();
    let mut handles = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for i in 0..total {
        #[allow(clippy::cast_precision_loss)]
        let offset = Duration::from_secs_f64(i as f64 / plan.rate);
        let due = start + offset;
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let counted = offset >= plan.warmup;
        let target = plan.targets[usize::try_from(i).unwrap_or(0) % plan.targets.len()].clone();
        let (client, plan, permits) = (client.clone(), plan.clone(), permits.clone());
        handles.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            let mut sample = one(&client, &plan, &target, due).await;
            sample.counted = counted;
            sample.done_after_start = start.elapsed();
            sample
        }));
    }
    let mut samples = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(sample) = handle.await {
            samples.push(sample);
        }
    }
    Ok(report(&plan, samples))
}

async fn one(client: &Client, plan: &Plan, target: &Target, due: Instant) -> Sample {
    let mut request = client.request(
        plan.method.clone(),
        format!("{}{}", plan.base_url, target.path),
    );
    if !plan.headers.is_empty() {
        request = request.headers(plan.headers.clone());
    }
    if let Some(token) = &target.token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = target.body.as_ref().or(plan.body.as_ref()) {
        request = request
            .header("content-type", "application/json")
            .body(body.clone());
    }
    let mut sample = Sample::default();
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            sample.error = Some(if error.is_timeout() {
                "timeout"
            } else {
                "connect"
            });
            sample.latency = micros(due.elapsed());
            return sample;
        }
    };
    sample.status = Some(response.status().as_u16());
    let timing = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok());
    sample.server = timing.and_then(server_timing_micros);
    sample.steps = timing.map(server_timing_steps).unwrap_or_default();
    sample.cache_hit = response
        .headers()
        .get("x-cache")
        .map(|v| v.as_bytes() == b"HIT");
    if plan.stream {
        read_stream(response, due, &mut sample).await;
    } else if response.bytes().await.is_err() {
        sample.error = Some("body");
    }
    sample.latency = micros(due.elapsed());
    sample
}

async fn read_stream(mut response: reqwest::Response, due: Instant, sample: &mut Sample) {
    let mut scanner = TokenScanner::default();
    let mut last: Option<Instant> = None;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let now = Instant::now();
                for _ in 0..scanner.feed(&chunk) {
                    match last {
                        None => sample.ttft = Some(micros(now - due)),
                        Some(previous) => sample.gaps.push(micros(now - previous)),
                    }
                    last = Some(now);
                }
            }
            Ok(None) => break,
            Err(_) => {
                sample.error = Some("stream");
                return;
            }
        }
    }
    if scanner.failed {
        sample.error = Some("error_event");
    } else if last.is_none() {
        sample.error = Some("no_tokens");
    }
}

/// `app;dur=1.25` (the first metric's `dur`) in microseconds.
fn server_timing_micros(header: &str) -> Option<u64> {
    header.split(',').next().and_then(metric_micros)
}

/// The metrics after the first, by name, in microseconds; a name given twice is summed.
fn server_timing_steps(header: &str) -> BTreeMap<String, u64> {
    let mut steps = BTreeMap::new();
    for metric in header.split(',').skip(1) {
        let name = metric.split(';').next().unwrap_or_default().trim();
        if let (false, Some(micros)) = (name.is_empty(), metric_micros(metric)) {
            *steps.entry(name.to_owned()).or_insert(0) += micros;
        }
    }
    steps
}

/// One metric's `dur` (milliseconds) in microseconds.
fn metric_micros(metric: &str) -> Option<u64> {
    let dur = metric
        .split(';')
        .find_map(|p| p.trim().strip_prefix("dur="))?;
    let ms: f64 = dur.trim().parse().ok()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((ms * 1000.0).round() as u64)
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

fn report(plan: &Plan, samples: Vec<Sample>) -> Report {
    let counted: Vec<Sample> = samples.into_iter().filter(|s| s.counted).collect();
    let mut status = BTreeMap::new();
    let mut error_kinds = BTreeMap::new();
    let (mut latency, mut ttft, mut gaps, mut server) = (vec![], vec![], vec![], vec![]);
    let mut steps: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let (mut ok, mut hits, mut misses) = (0, 0, 0);
    let mut last_done = Duration::ZERO;
    for sample in &counted {
        let code = sample
            .status
            .map_or_else(|| "none".to_owned(), |c| c.to_string());
        *status.entry(code).or_insert(0) += 1;
        let success =
            sample.error.is_none() && sample.status.is_some_and(|c| (200..300).contains(&c));
        if let Some(kind) = sample.error {
            *error_kinds.entry(kind.to_owned()).or_insert(0) += 1;
        }
        latency.push(sample.latency);
        if success {
            ok += 1;
            ttft.extend(sample.ttft);
            gaps.extend_from_slice(&sample.gaps);
            server.extend(sample.server);
            for (name, micros) in &sample.steps {
                steps.entry(name.clone()).or_default().push(*micros);
            }
            match sample.cache_hit {
                Some(true) => hits += 1,
                Some(false) => misses += 1,
                None => {}
            }
        }
        last_done = last_done.max(sample.done_after_start);
    }
    let window = last_done
        .saturating_sub(plan.warmup)
        .as_secs_f64()
        .max(1e-9);
    let requests = counted.len();
    let optional = |values: &mut Vec<u64>| (!values.is_empty()).then(|| summarize(values));
    #[allow(clippy::cast_precision_loss)]
    let (achieved_rps, error_rate) = (
        ok as f64 / window,
        if requests == 0 {
            0.0
        } else {
            (requests - ok) as f64 / requests as f64
        },
    );
    Report {
        target_rps: plan.rate,
        duration_s: plan.duration.as_secs_f64(),
        requests,
        ok,
        errors: requests - ok,
        error_rate,
        achieved_rps: (achieved_rps * 10.0).round() / 10.0,
        status,
        error_kinds,
        latency_ms: summarize(&mut latency),
        ttft_ms: optional(&mut ttft),
        gap_ms: optional(&mut gaps),
        server_ms: optional(&mut server),
        server_steps_ms: steps
            .into_iter()
            .map(|(name, mut values)| (name, summarize(&mut values)))
            .collect(),
        cache_hits: hits,
        cache_misses: misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_timing_reads_any_dur() {
        assert_eq!(server_timing_micros("app;dur=1.25"), Some(1250));
        assert_eq!(server_timing_micros("app;desc=\"x\";dur=0.5"), Some(500));
        assert_eq!(server_timing_micros("app"), None);
    }

    #[test]
    fn server_timing_steps_sum_repeated_names_and_skip_the_first() {
        let steps =
            server_timing_steps("app;dur=9, auth;dur=0.25, invalidate;dur=0.5, invalidate;dur=1");
        let expected: BTreeMap<String, u64> =
            [("auth".to_owned(), 250), ("invalidate".to_owned(), 1500)].into();
        assert_eq!(steps, expected);
        assert!(server_timing_steps("app;dur=1").is_empty());
        assert!(server_timing_steps("app;dur=1, broken, ;dur=2").is_empty());
    }
}
