//! A minimal client for the OpenAI-compatible embeddings server, query form, as the
//! chat service calls it for prompts.

use polychat_domain::Embedding;
use serde::Deserialize;

#[derive(Deserialize)]
struct Item {
    index: usize,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct Answer {
    data: Vec<Item>,
}

pub(crate) async fn query_embeddings(texts: &[&str]) -> Vec<Embedding> {
    let base = std::env::var("EMBEDDINGS_BASE_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8001/v1".to_owned());
    let answer: Answer = reqwest::Client::new()
        .post(format!("{}/embeddings", base.trim_end_matches('/')))
        .json(&serde_json::json!({ "model": "query", "input": texts }))
        .send()
        .await
        .expect("embeddings server reachable")
        .error_for_status()
        .expect("embeddings server answers")
        .json()
        .await
        .expect("embeddings answer parses");
    let mut items = answer.data;
    items.sort_by_key(|i| i.index);
    assert_eq!(items.len(), texts.len());
    items
        .into_iter()
        .map(|i| Embedding::new(i.embedding))
        .collect()
}
