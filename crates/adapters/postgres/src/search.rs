//! What the two vector searches share: session settings for filtered HNSW scans and
//! conversions between the domain's embeddings and pgvector's.

use diesel::QueryResult;
use diesel_async::scoped_futures::{ScopedBoxFuture, ScopedFutureExt};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use polychat_domain::Embedding;

use crate::vector::StoredVector;

/// The most hits one search returns, whatever the caller asks; also the ceiling of
/// `hnsw.ef_search`.
const MAX_RESULTS: u32 = 1_000;

/// The smallest candidate list the HNSW scan starts with (pgvector's default).
const MIN_EF_SEARCH: u32 = 40;

/// The SQL limit for a requested `limit`, or `None` when nothing is asked for.
pub(crate) fn result_limit(limit: u32) -> Option<i64> {
    (limit > 0).then(|| i64::from(limit.min(MAX_RESULTS)))
}

/// The scan settings every pooled connection starts with (see `pool::open`).
///
/// The HNSW scan finds the `ef_search` nearest rows of all users first and filters by
/// owner afterwards, so a user with few rows among many would get short or empty
/// results. pgvector 0.8's iterative scan keeps scanning until enough rows pass the
/// filter; `relaxed_order` may return them slightly out of order, so callers sort.
/// With the smallest candidate list, these serve any search of up to
/// `MIN_EF_SEARCH / 4` rows (a prompt's recall, a default search) as they are.
pub(crate) fn session_scan_settings() -> String {
    format!("SET hnsw.iterative_scan = relaxed_order; SET hnsw.ef_search = {MIN_EF_SEARCH};")
}

/// What a search for `limit` rows must set beyond the session's settings: a longer
/// candidate list (four per row wanted), or nothing.
pub(crate) fn scan_settings(limit: i64) -> Option<String> {
    let ef_search = limit
        .saturating_mul(4)
        .clamp(i64::from(MIN_EF_SEARCH), i64::from(MAX_RESULTS));
    (ef_search > i64::from(MIN_EF_SEARCH))
        .then(|| format!("SET LOCAL hnsw.ef_search = {ef_search};"))
}

/// Runs one filtered vector search: as it is (one round trip) when the session's
/// settings serve `limit`, else in a transaction that lengthens the candidate list.
pub(crate) async fn filtered_scan<'a, R, F>(
    conn: &mut AsyncPgConnection,
    limit: i64,
    search: F,
) -> QueryResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, QueryResult<R>>
        + Send
        + 'a,
    R: Send + 'a,
{
    let Some(settings) = scan_settings(limit) else {
        return search(conn).await;
    };
    conn.transaction(|conn| {
        async move {
            conn.batch_execute(&settings).await?;
            search(conn).await
        }
        .scope_boxed()
    })
    .await
}

pub(crate) fn to_vector(embedding: &Embedding) -> StoredVector {
    StoredVector(pgvector::Vector::from(embedding.as_slice().to_vec()))
}

pub(crate) fn from_vector(vector: &StoredVector) -> Embedding {
    Embedding::new(vector.0.to_vec())
}

/// Cosine similarity from pgvector's cosine distance (`<=>`), which is 1 - similarity.
#[allow(clippy::cast_possible_truncation)] // similarities lie in [-1, 1]
pub(crate) fn similarity(distance: f64) -> f32 {
    (1.0 - distance) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_candidate_lists_stay_in_bounds() {
        assert_eq!(result_limit(0), None);
        assert_eq!(result_limit(5), Some(5));
        assert_eq!(result_limit(u32::MAX), Some(1_000));
        assert!(session_scan_settings().contains("ef_search = 40;"));
        assert_eq!(
            scan_settings(1),
            None,
            "the session's settings serve small limits"
        );
        assert_eq!(scan_settings(10), None);
        assert!(scan_settings(11).is_some_and(|s| s.contains("ef_search = 44;")));
        assert!(scan_settings(50).is_some_and(|s| s.contains("ef_search = 200;")));
        assert!(scan_settings(1_000).is_some_and(|s| s.contains("ef_search = 1000;")));
    }

    #[test]
    fn similarity_is_one_minus_distance() {
        assert!((similarity(0.0) - 1.0).abs() < f32::EPSILON);
        assert!((similarity(1.5) + 0.5).abs() < f32::EPSILON);
    }
}
