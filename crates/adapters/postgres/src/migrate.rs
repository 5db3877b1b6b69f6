//! Schema migrations, embedded in the binary, and the check that the schema's vector
//! dimension matches the embedder's.

use diesel::sql_types::{BigInt, Integer, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::ExposeSecret;

use crate::config::PostgresConfig;
use crate::error::{PostgresError, store_error};
use crate::pool::{Postgres, open};

/// The SQL migrations of `migrations/` at the workspace root.
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations");

/// Serializes migrations across replicas that start at once; an arbitrary constant
/// ("polychat" in ASCII) that no other code uses as an advisory lock key.
const MIGRATION_LOCK: i64 = 0x706f_6c79_6368_6174;

/// Applies the migrations not yet applied and returns their versions. Safe to run at
/// every start and from several replicas at once: a session advisory lock lets one
/// migrate while the others wait, and then find nothing left to do.
///
/// Runs on a connection of its own, without the pool's `statement_timeout`, because
/// building an index on a large table may take longer than any request should.
pub async fn run_migrations(config: &PostgresConfig) -> Result<Vec<String>, PostgresError> {
    let settings = "SET application_name = 'polychat-migrate';";
    let mut conn = open(config.url.expose_secret(), settings, config.connect_timeout)
        .await
        .map_err(|err| PostgresError::Unavailable(err.into()))?;
    lock(&mut conn, "pg_advisory_lock").await?;
    // The harness drives the async connection through blocking calls, which must not
    // run on an async worker thread.
    let (mut conn, outcome) = tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        let outcome = harness
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|err| PostgresError::Migration(anyhow::anyhow!(err)));
        (harness.into_inner(), outcome)
    })
    .await
    .map_err(|err| PostgresError::Migration(err.into()))?;
    lock(&mut conn, "pg_advisory_unlock").await?;
    let applied = outcome?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied database migrations");
    }
    Ok(applied)
}

async fn lock(conn: &mut AsyncPgConnection, function: &str) -> Result<(), PostgresError> {
    sql_query(format!("SELECT {function}($1)"))
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(conn)
        .await
        .map(drop)
        .map_err(|err| PostgresError::Store(store_error(err)))
}

#[derive(QueryableByName)]
struct EmbeddingColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Integer)]
    dimensions: i32,
}

impl Postgres {
    /// The dimension of the `embedding` columns, which every stored and queried
    /// vector must have.
    pub async fn embedding_dimensions(&self) -> Result<usize, PostgresError> {
        let mut conn = self.conn().await?;
        // pgvector keeps a `vector(n)` column's n as its type modifier.
        let columns: Vec<EmbeddingColumn> = sql_query(
            "SELECT c.relname::text AS table_name, a.atttypmod AS dimensions \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             WHERE c.oid IN (to_regclass('user_preferences'), to_regclass('message_embeddings')) \
               AND a.attname = 'embedding' AND NOT a.attisdropped \
             ORDER BY 1",
        )
        .load(&mut conn)
        .await
        .map_err(store_error)?;
        let [first, second] = columns.as_slice() else {
            return Err(PostgresError::Migration(anyhow::anyhow!(
                "the embedding columns are missing; run the migrations first"
            )));
        };
        let dimensions = |column: &EmbeddingColumn| {
            usize::try_from(column.dimensions).map_err(|_| {
                PostgresError::Migration(anyhow::anyhow!(
                    "{}.embedding has no fixed dimension",
                    column.table_name
                ))
            })
        };
        let (found, other) = (dimensions(first)?, dimensions(second)?);
        if found != other {
            return Err(PostgresError::DimensionMismatch {
                table: second.table_name.clone(),
                expected: found,
                found: other,
            });
        }
        Ok(found)
    }

    /// Fails unless the schema stores vectors of exactly `expected` dimensions; the app
    /// calls it at startup with the embedder's dimension.
    pub async fn verify_embedding_dimensions(&self, expected: usize) -> Result<(), PostgresError> {
        let found = self.embedding_dimensions().await?;
        if found == expected {
            Ok(())
        } else {
            Err(PostgresError::DimensionMismatch {
                table: "user_preferences".into(),
                expected,
                found,
            })
        }
    }
}
