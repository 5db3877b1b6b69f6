//! A throwaway database per test, and helpers to fill it.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use polychat_domain::UserId;
use polychat_domain::ports::UserRepository;
use polychat_postgres::{Postgres, PostgresConfig, connect, run_migrations};
use polychat_testkit::users::sample_user;
use secrecy::SecretString;
use uuid::Uuid;

const DEFAULT_URL: &str = "postgres://polychat:polychat@127.0.0.1:5432/polychat";

/// The server the tests use; its role must be allowed to create databases.
pub(crate) fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// `url` with its database name replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A fresh, empty database, dropped (with any connections still open to it) when the
/// guard goes, even if the test panicked.
pub(crate) struct TestDb {
    pub(crate) name: String,
    pub(crate) url: String,
}

impl TestDb {
    pub(crate) async fn create() -> Self {
        let name = format!("polychat_pgtest_{}", Uuid::new_v4().simple());
        let mut admin = admin().await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let url = with_database(&admin_url(), &name);
        Self { name, url }
    }

    /// A fresh database with the migrations applied.
    pub(crate) async fn migrated() -> Self {
        let db = Self::create().await;
        run_migrations(&db.config()).await.expect("migrate");
        db
    }

    pub(crate) fn config(&self) -> PostgresConfig {
        let mut config = PostgresConfig::new(SecretString::from(self.url.clone()));
        config.max_connections = 8;
        config.acquire_timeout = Duration::from_secs(20);
        config
    }

    pub(crate) async fn connect(&self) -> Postgres {
        connect(&self.config()).await.expect("connect")
    }

    /// A plain connection to this database, outside any pool.
    pub(crate) async fn raw(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url)
            .await
            .expect("connect to the test database")
    }
}

pub(crate) async fn admin() -> AsyncPgConnection {
    AsyncPgConnection::establish(&admin_url())
        .await
        .expect("connect to the admin database")
}

/// Drops `name` and every connection to it.
pub(crate) async fn drop_database(name: &str) {
    admin()
        .await
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop the test database");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be the one blocked here, so the
        // database is dropped from a thread with a runtime of its own.
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(drop_database(&name));
        })
        .join();
        if dropped.is_err() {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// Stores a new user and returns its id; preferences and indexed messages need one.
pub(crate) async fn new_user(pg: &Postgres, prefix: &str) -> UserId {
    let user = sample_user(prefix);
    pg.create(&user).await.expect("create user");
    user.id
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://u:p@h:5432/polychat", "t1"),
        "postgres://u:p@h:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h/polychat?sslmode=disable", "t1"),
        "postgres://u:p@h/t1?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "t1"),
        "postgres://h:5432/t1"
    );
}
