//! `make eval`: runs the preference detector over a labelled jsonl set (the format of
//! shared/eval/preferences-dev.jsonl), optionally writes `{"id","remember","kind"}`
//! predictions (with the saved `statements`, for checking extraction by hand), and prints precision/recall/F1, kind accuracy and detection time.
//!
//! Usage: detector-eval --dataset FILE [--predictions OUT] [--rules-only] [--verbose]
//! Query embeddings come from `EMBEDDINGS_BASE_URL` (default `http://127.0.0.1:8001/v1`);
//! the time reported is that of `detect` alone, without the embedding call.

mod metrics;

use std::error::Error;
use std::io::Write;
use std::time::Instant;

use polychat_detector::Detector;
use polychat_domain::Embedding;
use polychat_domain::ports::PreferenceDetector;
use serde::Deserialize;

use metrics::{Outcome, report};

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    #[serde(default)]
    lang: Option<String>,
    prompt: String,
    #[serde(default)]
    remember: Option<bool>,
    #[serde(default)]
    kind: Option<String>,
}

struct Args {
    dataset: String,
    predictions: Option<String>,
    rules_only: bool,
    verbose: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dataset: String::new(),
        predictions: None,
        rules_only: false,
        verbose: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--dataset" => args.dataset = it.next().ok_or("--dataset needs a file")?,
            "--predictions" => args.predictions = it.next(),
            "--rules-only" => args.rules_only = true,
            "--verbose" => args.verbose = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.dataset.is_empty() {
        return Err(
            "usage: detector-eval --dataset FILE [--predictions OUT] [--rules-only]".into(),
        );
    }
    Ok(args)
}

async fn embed(prompts: &[String]) -> Result<Vec<Embedding>, Box<dyn Error>> {
    #[derive(Deserialize)]
    struct Item {
        index: usize,
        embedding: Vec<f32>,
    }
    #[derive(Deserialize)]
    struct Answer {
        data: Vec<Item>,
    }
    let base = std::env::var("EMBEDDINGS_BASE_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8001/v1".to_owned());
    let client = reqwest::Client::new();
    let mut out = Vec::with_capacity(prompts.len());
    for batch in prompts.chunks(32) {
        // A `model` containing "query" selects the e5 query form, as the chat service uses.
        let body = serde_json::json!({ "model": "query", "input": batch });
        let answer: Answer = client
            .post(format!("{}/embeddings", base.trim_end_matches('/')))
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let mut items = answer.data;
        items.sort_by_key(|i| i.index);
        out.extend(items.into_iter().map(|i| Embedding::new(i.embedding)));
    }
    Ok(out)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let rows: Vec<Row> = std::fs::read_to_string(&args.dataset)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let prompts: Vec<String> = rows.iter().map(|r| r.prompt.clone()).collect();
    let embeddings = if args.rules_only {
        Vec::new()
    } else {
        embed(&prompts).await?
    };
    let detector = Detector::new()?;
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut predictions = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let started = Instant::now();
        let found = detector.detect(&row.prompt, embeddings.get(i));
        let elapsed = started.elapsed();
        let kind = found.first().map(|d| d.kind.as_str());
        let texts: Vec<&str> = found.iter().map(|d| d.text.as_str()).collect();
        predictions.push(serde_json::json!({
            "id": row.id, "remember": kind.is_some(), "kind": kind, "statements": texts,
        }));
        if args.verbose && (row.remember != Some(kind.is_some()) || row.kind.as_deref() != kind) {
            eprintln!(
                "{} gold={:?} got={kind:?} {texts:?} :: {}",
                row.id, row.kind, row.prompt
            );
        }
        outcomes.push(Outcome {
            lang: row.lang.clone().unwrap_or_default(),
            gold: row.remember,
            gold_kind: row.kind.clone(),
            predicted: kind.is_some(),
            predicted_kind: kind.map(str::to_owned),
            elapsed,
        });
    }
    if let Some(path) = &args.predictions {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        for p in &predictions {
            writeln!(file, "{p}")?;
        }
        file.flush()?;
        println!("wrote {} predictions to {path}", predictions.len());
    }
    print!("{}", report(&outcomes, args.rules_only));
    Ok(())
}
