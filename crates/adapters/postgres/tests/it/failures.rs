//! A store that is down or too slow shows up as `StoreError::Unavailable` and a failing
//! readiness probe, never as a hang or an opaque error.

use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;
use polychat_domain::DisplayName;
use polychat_domain::UserId;
use polychat_domain::ports::{HealthProbe, StoreError, UserRepository, UserUpdate};
use polychat_postgres::{PostgresConfig, PostgresError, connect};
use secrecy::SecretString;

use crate::support::{TestDb, drop_database, new_user};

#[tokio::test]
async fn the_probe_reports_a_live_database() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    assert_eq!(pg.name(), "postgres");
    assert_eq!(pg.check().await, Ok(()));
}

#[tokio::test]
async fn an_unreachable_server_fails_fast_at_connect() {
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    let mut config = PostgresConfig::new(SecretString::from(
        "postgres://polychat:polychat@127.0.0.1:1/polychat",
    ));
    config.connect_timeout = Duration::from_secs(2);
    config.acquire_timeout = Duration::from_secs(2);
    let started = Instant::now();
    let outcome = connect(&config).await;
    assert!(
        matches!(outcome, Err(PostgresError::Unavailable(_))),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_database_that_goes_away_is_unavailable() {
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let user = new_user(&pg, "lost").await;
    drop_database(&db.name).await;

    let outcome = pg.find_by_id(user).await;
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{outcome:?}"
    );
    let probe = pg.check().await;
    assert!(probe.is_err(), "{probe:?}");
    let message = probe.unwrap_err();
    assert!(
        !message.contains("polychat:polychat"),
        "no credentials: {message}"
    );
}

#[tokio::test]
async fn statements_are_cut_at_the_statement_timeout() {
    let db = TestDb::migrated().await;
    let mut config = db.config();
    config.statement_timeout = Duration::from_millis(300);
    let pg = connect(&config).await.unwrap();
    let user = new_user(&pg, "slow").await;

    // Another session holds the table lock, so the update below waits until
    // `statement_timeout` cancels it.
    let mut blocker = db.raw().await;
    blocker
        .batch_execute("BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;")
        .await
        .unwrap();
    let update = UserUpdate {
        display_name: Some(Some(DisplayName::parse("Slow").unwrap())),
        ..UserUpdate::default()
    };
    let started = Instant::now();
    let outcome = pg.update(user, update).await;
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    blocker.batch_execute("ROLLBACK").await.unwrap();

    assert!(
        pg.find_by_id(UserId::generate()).await.unwrap().is_none(),
        "pool recovers"
    );
}

#[tokio::test]
async fn sessions_are_named_for_operators() {
    use diesel::QueryableByName;
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let db = TestDb::migrated().await;
    let pg = db.connect().await;
    let mut conn = db.raw().await;
    let sessions: Vec<Count> = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = '{}' AND application_name = 'polychat'",
        db.name
    ))
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        sessions[0].n >= 1,
        "the pool's sessions carry application_name"
    );
    drop(pg);
}
