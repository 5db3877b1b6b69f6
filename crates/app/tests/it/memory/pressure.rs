//! Embeddings under pressure: a long prompt costs the embeddings service one window,
//! a hanging service costs a turn at most the recall deadline, and once the breaker is
//! open nothing at all, until the service answers again. The embeddings service here
//! is a recording fake (a real HTTP server).

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::{answer, ready_user};
use crate::harness::TestApp;

const WINDOW: usize = 1_400;

/// An embeddings answer of one 384-dimension vector per input.
fn vectors(request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let inputs = body["input"].as_array().map_or(1, Vec::len);
    let data: Vec<Value> = (0..inputs)
        .map(|index| json!({"object": "embedding", "index": index, "embedding": vec![0.05_f32; 384]}))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": data, "model": "e5"}))
}

async fn embeddings_answering(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(vectors)
        .mount(server)
        .await;
}

/// Every text the fake embeddings service was asked to embed.
async fn embedded_texts(server: &MockServer) -> Vec<String> {
    let mut texts = Vec::new();
    for request in server.received_requests().await.unwrap_or_default() {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        for input in body["input"].as_array().into_iter().flatten() {
            texts.push(input.as_str().unwrap_or_default().to_owned());
        }
    }
    texts
}

/// The `Server-Timing` steps of a response: name and milliseconds.
fn timing(response: &reqwest::Response) -> Vec<(String, f64)> {
    let header = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    header
        .split(',')
        .filter_map(|metric| {
            let mut parts = metric.trim().split(';');
            let name = parts.next()?.to_owned();
            let dur = parts
                .find_map(|p| p.trim().strip_prefix("dur="))
                .and_then(|d| d.parse().ok())
                .unwrap_or(0.0);
            Some((name, dur))
        })
        .collect()
}

fn step(steps: &[(String, f64)], name: &str) -> Option<f64> {
    steps.iter().find(|(n, _)| n == name).map(|(_, d)| *d)
}

#[tokio::test]
async fn a_long_prompt_sends_the_embeddings_service_at_most_one_window() {
    let embeddings = MockServer::start().await;
    embeddings_answering(&embeddings).await;
    let url = format!("{}/v1", embeddings.uri());
    let app = TestApp::spawn_with(&[("EMBEDDINGS_BASE_URL", &url)]).await;
    answer(&app, "Entendido.").await;
    let token = ready_user(&app).await;
    let pasted = "linha de log com detalhes do erro 42; ".repeat(830);
    let prompt = format!("Sou engenheira de dados. {pasted} O que causa esse erro?");
    assert!((31_000..=32_000).contains(&prompt.chars().count()));

    let response = app
        .post("/chat", Some(&token), &json!({"prompt": prompt}))
        .await;
    assert_eq!(response.status(), 200);
    // The answer and the prompt are indexed after the response.
    let mut texts = Vec::new();
    for _ in 0..50 {
        texts = embedded_texts(&embeddings).await;
        if texts.iter().any(|t| t.contains("Entendido.")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        texts.len() >= 3,
        "recall, then the prompt and the answer indexed: {texts:?}"
    );
    for text in &texts {
        assert!(
            text.chars().count() <= WINDOW,
            "{} characters embedded",
            text.chars().count()
        );
    }
    let query = &texts[0];
    assert!(query.starts_with("Sou engenheira de dados."), "{query}");
    assert!(query.ends_with("O que causa esse erro?"), "{query}");
}

#[tokio::test]
async fn a_hanging_embeddings_service_costs_the_deadline_then_nothing_until_it_answers() {
    let embeddings = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&embeddings)
        .await;
    let url = format!("{}/v1", embeddings.uri());
    let app =
        TestApp::spawn_with(&[("EMBEDDINGS_BASE_URL", &url), ("RECALL_TIMEOUT_MS", "200")]).await;
    answer(&app, "Olá!").await;
    let token = ready_user(&app).await;
    let prompt = json!({"prompt": "Sou desenvolvedor."});
    let ask = || app.post("/chat", Some(&token), &prompt);

    // Three turns wait for the deadline (not the adapter's 10 s timeout) and say so.
    for attempt in 0..3 {
        let response = ask().await;
        assert_eq!(response.status(), 200);
        let steps = timing(&response);
        let embed = step(&steps, "embed").expect("embed timed");
        assert!(
            (150.0..5_000.0).contains(&embed),
            "#{attempt}: embed took {embed} ms"
        );
        assert!(step(&steps, "recall_skipped").is_some(), "{steps:?}");
    }
    // The breaker is open: no wait at all.
    let response = ask().await;
    assert_eq!(response.status(), 200);
    let steps = timing(&response);
    assert_eq!(step(&steps, "embed"), None, "{steps:?}");
    assert!(step(&steps, "recall_skipped").is_some(), "{steps:?}");

    // Once the service answers again, the probe closes the breaker.
    embeddings.reset().await;
    embeddings_answering(&embeddings).await;
    let mut recovered = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let steps = timing(&ask().await);
        if step(&steps, "embed").is_some() && step(&steps, "recall_skipped").is_none() {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "recall never resumed");
}
