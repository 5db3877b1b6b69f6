//! Filtered vector search through the HNSW index: a user with few rows among many of
//! other users still gets a full top-k (pgvector's iterative scan), and superseded
//! preferences are never returned.

use chrono::DateTime;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::join_all;
use polychat_domain::ports::{IndexedMessage, MessageIndex, MessageSearchQuery, PreferenceStore};
use polychat_domain::{
    ChatId, Embedding, MessageId, PreferenceId, PreferenceKind, PreferenceText, Role, UserId,
    UserPreference,
};
use polychat_postgres::Postgres;
use polychat_testkit::preferences::axis;

use crate::isolation::DIMS;
use crate::support::{TestDb, new_user};

const OTHER_USERS: usize = 20;
const ROWS_PER_OTHER_USER: usize = 100;

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// Makes the planner use the HNSW index even on a table this small, as it would on a
/// large one: no btree on the owner to fall back on, and sequential scans priced out.
async fn force_hnsw(db: &TestDb, owner_index: &str) {
    let mut conn = db.raw().await;
    conn.batch_execute(&format!(
        "DROP INDEX {owner_index}; ALTER DATABASE {} SET enable_seqscan = off;",
        db.name
    ))
    .await
    .unwrap();
}

/// A distinct pseudo-random vector leaning towards the query (`axis(0)`) by `lean`.
/// Distinct and spread out like real embeddings: HNSW graphs of duplicates or of
/// isolated outliers are not what production sees, and defeat any graph search.
fn noisy(lean: f32, seed: u64) -> Embedding {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let values = (0..DIMS)
        .map(|d| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = f32::from(u16::try_from(state >> 48).unwrap()) / 32_768.0 - 1.0;
            if d == 0 { lean } else { noise }
        })
        .collect();
    Embedding::new(values)
}

/// Other users' rows: closer to the query than any of ours (similarity about 0.26
/// against 0.09), so an unfiltered top-40 holds none of ours.
fn crowd(j: usize) -> Embedding {
    noisy(3.0, 1_000 + j as u64)
}

fn ours(i: usize) -> Embedding {
    noisy(1.0, i as u64)
}

fn literal(embedding: &Embedding) -> String {
    let values: Vec<String> = embedding.as_slice().iter().map(f32::to_string).collect();
    format!("[{}]", values.join(","))
}

async fn plan(conn: &mut AsyncPgConnection, sql: &str) -> String {
    let lines: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN {sql}"))
        .load(conn)
        .await
        .unwrap();
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many rows `sql` returns with pgvector's default, non-iterative scan.
async fn rows_without_iterative_scan(conn: &mut AsyncPgConnection, sql: &str) -> usize {
    conn.batch_execute("BEGIN; SET LOCAL hnsw.iterative_scan = off;")
        .await
        .unwrap();
    let rows: Vec<PlanLine> =
        diesel::sql_query(format!("SELECT 'x' AS \"QUERY PLAN\" FROM ({sql}) hits"))
            .load(conn)
            .await
            .unwrap();
    conn.batch_execute("COMMIT").await.unwrap();
    rows.len()
}

fn preference(owner: UserId, embedding: Embedding, n: usize) -> UserPreference {
    let at = DateTime::from_timestamp_millis(1_767_225_600_000).unwrap();
    UserPreference {
        id: PreferenceId::generate(),
        owner,
        text: PreferenceText::parse(&format!("statement {n}")).unwrap(),
        kind: PreferenceKind::Fact,
        embedding,
        source_chat_id: None,
        superseded_by: None,
        created_at: at,
        updated_at: at,
    }
}

/// Gives each of the other users their rows, several users at a time; `store` gets
/// the number of the user's first row, so every row differs.
async fn fill_crowd<F, Fut>(pg: &Postgres, store: F)
where
    F: Fn(Postgres, UserId, usize) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut tasks = Vec::new();
    for k in 0..OTHER_USERS {
        let other = new_user(pg, &format!("crowd{k}")).await;
        tasks.push(tokio::spawn(store(
            pg.clone(),
            other,
            k * ROWS_PER_OTHER_USER,
        )));
    }
    for task in join_all(tasks).await {
        task.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearest_preferences_are_not_short_among_other_users_rows() {
    let db = TestDb::migrated().await;
    force_hnsw(
        &db,
        "user_preferences_active_owner_idx; DROP INDEX user_preferences_owner_idx",
    )
    .await;
    let pg = db.connect().await;
    let alice = new_user(&pg, "alice").await;
    fill_crowd(&pg, |pg, other, first| async move {
        for j in first..first + ROWS_PER_OTHER_USER {
            pg.insert(&preference(other, crowd(j), j)).await.unwrap();
        }
    })
    .await;
    let mut mine = Vec::new();
    for i in 0..5 {
        let p = preference(alice, ours(i), i);
        pg.insert(&p).await.unwrap();
        mine.push(p.id);
    }
    // Two of hers match the query best but were superseded: never to be returned.
    let at = DateTime::from_timestamp_millis(1_767_229_200_000).unwrap();
    for n in 0..2 {
        let old = preference(alice, noisy(5.0, 500 + n as u64), 100 + n);
        pg.insert(&old).await.unwrap();
        assert!(pg.supersede(alice, old.id, mine[0], at).await.unwrap());
    }

    let query = axis(DIMS, 0);
    let hits = pg.nearest(alice, &query, 5, -1.0).await.unwrap();
    let mut found: Vec<_> = hits.iter().map(|h| h.preference.id).collect();
    found.sort();
    mine.sort();
    assert_eq!(
        found, mine,
        "all five of hers, none superseded, none of others"
    );
    assert!(
        hits.windows(2).all(|w| w[0].similarity >= w[1].similarity),
        "best first"
    );

    let sql = format!(
        "SELECT id FROM user_preferences WHERE user_id = '{alice}' AND superseded_by IS NULL \
         ORDER BY embedding <=> '{}' LIMIT 5",
        literal(&query)
    );
    let mut conn = db.raw().await;
    let plan = plan(&mut conn, &sql).await;
    assert!(
        plan.contains("user_preferences_embedding_idx"),
        "HNSW is used:\n{plan}"
    );
    let short = rows_without_iterative_scan(&mut conn, &sql).await;
    assert!(
        short < 5,
        "without iterative scan the same search comes back short ({short})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_search_is_not_short_among_other_users_rows() {
    let db = TestDb::migrated().await;
    force_hnsw(&db, "message_embeddings_owner_chat_idx").await;
    let pg = db.connect().await;
    let alice = new_user(&pg, "alice").await;
    let at = DateTime::from_timestamp_millis(1_767_225_600_000).unwrap();
    let message = move |owner, chat_id, embedding| IndexedMessage {
        owner,
        chat_id,
        message_id: MessageId::generate(),
        role: Role::User,
        content: "words".into(),
        created_at: at,
        embedding,
    };
    fill_crowd(&pg, move |pg, other, first| async move {
        let chat = ChatId::generate();
        let batch: Vec<_> = (first..first + ROWS_PER_OTHER_USER)
            .map(|j| message(other, chat, crowd(j)))
            .collect();
        pg.index(&batch).await.unwrap();
    })
    .await;
    let (wanted, other_chat) = (ChatId::generate(), ChatId::generate());
    let mine: Vec<_> = (0..5).map(|i| message(alice, wanted, ours(i))).collect();
    let elsewhere: Vec<_> = (0..3)
        .map(|i| message(alice, other_chat, noisy(5.0, 600 + i)))
        .collect();
    pg.index(&mine).await.unwrap();
    pg.index(&elsewhere).await.unwrap();

    let query = MessageSearchQuery {
        owner: alice,
        embedding: axis(DIMS, 0),
        chats: Some(vec![wanted]),
        limit: 5,
        min_similarity: -1.0,
    };
    let hits = pg.search(&query).await.unwrap();
    let mut found: Vec<_> = hits.iter().map(|h| h.message_id).collect();
    found.sort();
    let mut expected: Vec<_> = mine.iter().map(|m| m.message_id).collect();
    expected.sort();
    assert_eq!(found, expected, "all five of that chat, nothing else");

    let everywhere = pg
        .search(&MessageSearchQuery {
            chats: None,
            limit: 8,
            ..query
        })
        .await;
    assert_eq!(everywhere.unwrap().len(), 8, "all of hers across chats");

    let sql = format!(
        "SELECT message_id FROM message_embeddings WHERE user_id = '{alice}' \
         AND chat_id = '{wanted}' ORDER BY embedding <=> '{}' LIMIT 5",
        literal(&axis(DIMS, 0))
    );
    let mut conn = db.raw().await;
    let plan = plan(&mut conn, &sql).await;
    assert!(
        plan.contains("message_embeddings_embedding_idx"),
        "HNSW is used:\n{plan}"
    );
    let short = rows_without_iterative_scan(&mut conn, &sql).await;
    assert!(
        short < 5,
        "without iterative scan the same search comes back short ({short})"
    );
}
