//! A deterministic bag-of-words embedder: texts sharing words get similar vectors, with
//! no model and no I/O. Good enough for memory and search use cases to rank a related
//! text above an unrelated one; it knows nothing of synonyms.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use polychat_domain::Embedding;
use polychat_domain::ports::{EmbedError, Embedder, EmbeddingPurpose};

/// Hashes each lower-cased word into one of `dimensions` buckets with a ±1 sign (the
/// "hashing trick") and L2-normalises the sum. Purpose is ignored: the space is symmetric.
#[derive(Debug)]
pub struct HashingEmbedder {
    dimensions: usize,
    down: AtomicBool,
    calls: AtomicUsize,
}

impl HashingEmbedder {
    /// The dimension of the real embeddings model, so fakes fit the same schema.
    pub const DEFAULT_DIMENSIONS: usize = 384;

    /// An embedder of `dimensions` (at least one) dimensions.
    pub fn new(dimensions: usize) -> Self {
        Self {
            dimensions: dimensions.max(1),
            down: AtomicBool::new(false),
            calls: AtomicUsize::new(0),
        }
    }

    /// Makes every call fail as if the service were unreachable (`true`), or answer again.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// How many `embed` calls were made, failed ones included.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The vector of one text.
    pub fn embed_text(&self, text: &str) -> Embedding {
        let mut vector = vec![0.0_f32; self.dimensions];
        let lowered = text.to_lowercase();
        let mut words = lowered
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .peekable();
        // A text without words still gets a non-zero vector, so cosine stays defined.
        let empty = words.peek().is_none();
        for word in words.chain(empty.then_some("")) {
            let hash = fnv1a(word.as_bytes());
            let bucket = usize::try_from(hash % self.dimensions as u64).unwrap_or(0);
            vector[bucket] += if hash >> 63 == 0 { 1.0 } else { -1.0 };
        }
        let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for value in &mut vector {
                *value /= norm;
            }
        }
        Embedding::new(vector)
    }
}

impl Default for HashingEmbedder {
    fn default() -> Self {
        Self::new(Self::DEFAULT_DIMENSIONS)
    }
}

/// FNV-1a: stable across runs and platforms, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[async_trait]
impl Embedder for HashingEmbedder {
    fn dimensions(&self) -> usize {
        self.dimensions
    }

    async fn embed(
        &self,
        texts: &[String],
        _purpose: EmbeddingPurpose,
    ) -> Result<Vec<Embedding>, EmbedError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(EmbedError::Unavailable(anyhow::anyhow!(
                "the fake embedder is switched off"
            )));
        }
        Ok(texts.iter().map(|text| self.embed_text(text)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn related_texts_are_closer_than_unrelated_ones() {
        let embedder = HashingEmbedder::default();
        let texts = [
            "Eu gosto de café sem açúcar".to_owned(),
            "Prefiro café, sem açúcar!".to_owned(),
            "Moro em Lisboa".to_owned(),
        ];
        let vectors = embedder
            .embed(&texts, EmbeddingPurpose::Passage)
            .await
            .unwrap();
        assert_eq!(vectors.len(), 3);
        assert!(vectors.iter().all(|v| v.dimensions() == 384));
        assert!(vectors[0].cosine(&vectors[1]) > vectors[0].cosine(&vectors[2]) + 0.3);
        let norm: f32 = vectors[0].as_slice().iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[tokio::test]
    async fn deterministic_case_insensitive_and_never_zero() {
        let embedder = HashingEmbedder::new(16);
        assert_eq!(
            embedder.embed_text("Olá Mundo"),
            embedder.embed_text("olá, mundo")
        );
        assert!(
            embedder
                .embed_text("  ")
                .as_slice()
                .iter()
                .any(|v| *v != 0.0)
        );
        assert_eq!(embedder.dimensions(), 16);
    }

    #[tokio::test]
    async fn can_be_switched_off() {
        let embedder = HashingEmbedder::default();
        embedder.set_down(true);
        let result = embedder
            .embed(&["x".to_owned()], EmbeddingPurpose::Query)
            .await;
        assert!(matches!(result, Err(EmbedError::Unavailable(_))));
        embedder.set_down(false);
        assert!(embedder.embed(&[], EmbeddingPurpose::Query).await.is_ok());
        assert_eq!(embedder.calls(), 2);
    }
}
