//! Scenario 5 of the bench: the memory path of a prompt, timed part by part with the
//! real adapters — the prompt's embedding (the embeddings server), preference
//! detection (the in-process model) and the pgvector lookups recall makes (nearest
//! preferences and the active list, run together as the service runs them).

use std::time::Instant;

use anyhow::Context as _;
use futures_util::future::join;
use polychat_detector::Detector;
use polychat_domain::PreferenceKind::Style;
use polychat_domain::ports::{Embedder, EmbeddingPurpose, PreferenceDetector, PreferenceStore};
use polychat_domain::services::memory::MemoryPolicy;
use polychat_domain::{Embedding, UserId};
use polychat_openrouter::{EmbeddingsClient, EmbeddingsConfig};
use polychat_postgres::PostgresConfig;
use secrecy::SecretString;
use serde::Serialize;

use crate::stats::{Summary, summarize};

/// Prompts of the kinds the service sees: questions, and statements worth remembering.
const PROMPTS: [&str; 8] = [
    "Sou desenvolvedor de software. Como estruturo um projeto em Rust?",
    "I prefer short answers with code examples, please.",
    "What is the difference between a mutex and a semaphore?",
    "I live in Lisbon and I'm vegetarian; suggest a dinner recipe.",
    "Explain the borrow checker like I'm five.",
    "Always answer in Portuguese from now on.",
    "How do I write an open-loop load generator?",
    "My name is Ana and I work as a data engineer at a bank.",
];

/// Where and how long to measure.
#[derive(Debug, Clone)]
pub struct MemoryBench {
    pub database_url: String,
    pub embeddings_url: String,
    pub users: Vec<UserId>,
    /// Detections and lookups.
    pub iterations: usize,
    /// Embedding calls (slower: a model runs for each).
    pub embed_iterations: usize,
}

/// The figures of scenario 5, in milliseconds.
#[derive(Debug, Serialize)]
pub struct MemoryReport {
    pub users: usize,
    pub embed_ms: Summary,
    pub detect_ms: Summary,
    pub nearest_ms: Summary,
    /// The newest active style preferences, which go with every prompt.
    pub styles_ms: Summary,
    /// `nearest` and the styles together, as recall awaits them.
    pub lookup_ms: Summary,
    /// Preferences recalled in all, to show the lookups returned real rows.
    pub rows_listed: usize,
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

pub async fn run(bench: MemoryBench) -> anyhow::Result<MemoryReport> {
    anyhow::ensure!(!bench.users.is_empty(), "no users to look up");
    let embedder = EmbeddingsClient::new(EmbeddingsConfig::new(bench.embeddings_url.clone()))
        .context("embeddings client")?;
    let detector = Detector::new().context("loading the detector")?;
    let postgres = polychat_postgres::connect(&PostgresConfig::new(SecretString::from(
        bench.database_url.clone(),
    )))
    .await
    .context("connecting to PostgreSQL")?;

    let texts: Vec<String> = PROMPTS.iter().map(|p| (*p).to_owned()).collect();
    let mut embeddings: Vec<Embedding> = Vec::with_capacity(PROMPTS.len());
    let mut embed = Vec::with_capacity(bench.embed_iterations);
    for i in 0..bench.embed_iterations.max(PROMPTS.len()) {
        let text = &texts[i % texts.len()];
        let started = Instant::now();
        let mut vectors = embedder
            .embed(std::slice::from_ref(text), EmbeddingPurpose::Query)
            .await
            .context("embedding a prompt")?;
        embed.push(micros(started));
        if embeddings.len() < texts.len() {
            embeddings.push(vectors.pop().context("no embedding returned")?);
        }
    }

    let (mut detect, mut nearest, mut listed, mut lookup) = (vec![], vec![], vec![], vec![]);
    let mut rows_listed = 0;
    let styles = MemoryPolicy::default().style_limit;
    for i in 0..bench.iterations {
        let prompt = PROMPTS[i % PROMPTS.len()];
        let embedding = &embeddings[i % embeddings.len()];
        let owner = bench.users[(i * 7919) % bench.users.len()];
        let started = Instant::now();
        let found = detector.detect(prompt, Some(embedding));
        detect.push(micros(started));
        std::hint::black_box(found);

        let started = Instant::now();
        postgres.nearest(owner, embedding, 5, 0.80).await?;
        nearest.push(micros(started));
        let started = Instant::now();
        rows_listed += postgres.active_of_kind(owner, Style, styles).await?.len();
        listed.push(micros(started));
        let started = Instant::now();
        let (a, b) = join(
            postgres.nearest(owner, embedding, 5, 0.80),
            postgres.active_of_kind(owner, Style, styles),
        )
        .await;
        a?;
        b?;
        lookup.push(micros(started));
    }
    Ok(MemoryReport {
        users: bench.users.len(),
        embed_ms: summarize(&mut embed),
        detect_ms: summarize(&mut detect),
        nearest_ms: summarize(&mut nearest),
        styles_ms: summarize(&mut listed),
        lookup_ms: summarize(&mut lookup),
        rows_listed,
    })
}
