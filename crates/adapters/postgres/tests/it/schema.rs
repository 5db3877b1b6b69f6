//! Migrations and the schema they leave behind.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::join_all;
use polychat_postgres::{PostgresError, run_migrations};

use crate::support::TestDb;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// How many migrations `migrations/` holds: one directory each.
fn migration_count() -> usize {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../migrations");
    std::fs::read_dir(dir)
        .expect("the migrations directory")
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count()
}

#[tokio::test]
async fn migrations_apply_once_and_rerun_as_no_ops() {
    let db = TestDb::create().await;
    let first = run_migrations(&db.config()).await.expect("migrate");
    assert_eq!(
        first.len(),
        migration_count(),
        "every migration applied: {first:?}"
    );
    let second = run_migrations(&db.config()).await.expect("migrate again");
    assert!(second.is_empty(), "nothing left to apply: {second:?}");
}

#[tokio::test]
async fn replicas_starting_together_migrate_once() {
    let db = TestDb::create().await;
    let config = db.config();
    let runs = join_all((0..4).map(|_| run_migrations(&config))).await;
    let applied: usize = runs
        .into_iter()
        .map(|run| run.expect("every replica's migration succeeds").len())
        .sum();
    assert_eq!(
        applied,
        migration_count(),
        "the advisory lock lets one replica apply each migration"
    );
}

#[tokio::test]
async fn the_schema_has_pgvector_and_its_indexes() {
    let db = TestDb::migrated().await;
    let mut conn = db.raw().await;
    let extensions: Vec<Name> = diesel::sql_query(
        "SELECT extname::text AS name FROM pg_extension WHERE extname = 'vector'",
    )
    .load(&mut conn)
    .await
    .expect("query");
    assert_eq!(extensions.len(), 1, "the vector extension is installed");
    let hnsw: Vec<Name> = diesel::sql_query(
        "SELECT indexname::text AS name FROM pg_indexes \
         WHERE indexdef LIKE '%USING hnsw (embedding vector_cosine_ops)%' ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .expect("query");
    let names: Vec<_> = hnsw.into_iter().map(|n| n.name).collect();
    assert_eq!(
        names,
        [
            "message_embeddings_embedding_idx",
            "user_preferences_embedding_idx"
        ]
    );
}

#[tokio::test]
async fn embedding_dimensions_are_read_from_the_schema() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    assert_eq!(pg.embedding_dimensions().await.expect("dimensions"), 384);
    pg.verify_embedding_dimensions(384).await.expect("matches");
    let mismatch = pg.verify_embedding_dimensions(1536).await;
    assert!(
        matches!(
            mismatch,
            Err(PostgresError::DimensionMismatch {
                expected: 1536,
                found: 384,
                ..
            })
        ),
        "{mismatch:?}"
    );

    // A schema whose two tables disagree is reported too.
    let mut conn = db.raw().await;
    conn.batch_execute(
        "DROP INDEX message_embeddings_embedding_idx; \
         ALTER TABLE message_embeddings ALTER COLUMN embedding TYPE vector(768)",
    )
    .await
    .expect("alter");
    let disagree = pg.embedding_dimensions().await;
    assert!(
        matches!(disagree, Err(PostgresError::DimensionMismatch { .. })),
        "{disagree:?}"
    );
}

#[tokio::test]
async fn unmigrated_databases_are_reported() {
    let db = TestDb::create().await;
    let pg = db.connect().await;
    let missing = pg.embedding_dimensions().await;
    assert!(
        matches!(missing, Err(PostgresError::Migration(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn deleting_a_user_deletes_their_memories_index_and_keys() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let user = crate::support::new_user(&pg, "gone").await;
    crate::isolation::seed(&pg, user, 3).await;
    let (key, hash) = polychat_testkit::api_keys::sample_key(user, "doomed", 0);
    polychat_domain::ports::ApiKeyStore::create(&pg, &key, &hash)
        .await
        .expect("create key");
    let mut conn = db.raw().await;
    let count = |table: &str| format!("SELECT count(*) AS n FROM {table} WHERE user_id = '{user}'");
    for table in ["user_preferences", "message_embeddings"] {
        let rows: Vec<Count> = diesel::sql_query(count(table))
            .load(&mut conn)
            .await
            .expect("count");
        assert_eq!(rows[0].n, 3, "{table} seeded");
    }
    conn.batch_execute(&format!("DELETE FROM users WHERE id = '{user}'"))
        .await
        .expect("delete user");
    for table in ["user_preferences", "message_embeddings", "api_keys"] {
        let rows: Vec<Count> = diesel::sql_query(count(table))
            .load(&mut conn)
            .await
            .expect("count");
        assert_eq!(rows[0].n, 0, "{table} rows go with their user");
    }
}
