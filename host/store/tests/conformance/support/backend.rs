//! One store per test: SQLite in a temporary directory, or PostgreSQL in a database created
//! for the test and dropped after it. Tests never share data, so they run in parallel.

use std::ops::Deref;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use attune_store::{PostgresStore, SqliteStore, Store};
use futures::FutureExt;
use sqlx::Connection;

/// The PostgreSQL server test databases are created on, without a database name.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/";

/// Distinguishes the databases of one test process.
static NEXT_DATABASE: AtomicU64 = AtomicU64::new(0);

/// The backends every conformance test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: an SQLite file.
    Sqlite,
    /// The distributed backend.
    Postgres,
}

impl Backend {
    /// Runs `test` on a fresh, migrated store of this backend, then removes the store, also
    /// when the test fails.
    pub async fn run(self, test: impl AsyncFnOnce(&TestStore)) {
        let store = match self {
            Backend::Sqlite => TestStore::sqlite().await,
            Backend::Postgres => TestStore::postgres().await,
        };
        let outcome = AssertUnwindSafe(test(&store)).catch_unwind().await;
        store.remove().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

/// A store owned by one test. Dereferences to the [`Store`] under test.
pub struct TestStore {
    store: Arc<dyn Store>,
    place: Place,
}

/// Where a test store's data lives, and what removing it takes.
enum Place {
    Sqlite {
        store: SqliteStore,
        url: String,
        // Deleted with the test store.
        _dir: tempfile::TempDir,
    },
    Postgres {
        store: PostgresStore,
        server: String,
        database: String,
    },
}

impl Deref for TestStore {
    type Target = dyn Store;

    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

impl TestStore {
    async fn sqlite() -> TestStore {
        let dir = tempfile::tempdir().expect("a temporary directory for the SQLite database");
        let url = format!("sqlite://{}", dir.path().join("attune.db").display());
        let store = SqliteStore::open(&url).await.expect("open the SQLite store");
        store.migrate().await.expect("migrate the SQLite store");
        TestStore { store: Arc::new(store.clone()), place: Place::Sqlite { store, url, _dir: dir } }
    }

    async fn postgres() -> TestStore {
        let server = postgres_server();
        let database = format!(
            "attune_test_{}_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut admin = admin_connection(&server).await;
        // Production servers usually sort text by a language's rules, not by code point;
        // test on such a collation (ICU, PostgreSQL 15+) so that an ORDER BY that depends on
        // it shows up. Servers without ICU get their default. (Database names cannot be
        // bound as parameters; this one is made of ASCII letters, digits and underscores.)
        let icu = format!("CREATE DATABASE {database} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
        if sqlx::query(&icu).execute(&mut admin).await.is_err() {
            run(&mut admin, &server, &format!("CREATE DATABASE {database}")).await;
        }
        let _ = admin.close().await;
        let url = format!("{server}/{database}");
        let store = PostgresStore::open(&url).await.expect("open the PostgreSQL store");
        store.migrate().await.expect("migrate the PostgreSQL store");
        TestStore { store: Arc::new(store.clone()), place: Place::Postgres { store, server, database } }
    }

    /// The store as callers hold it, for tasks that outlive a borrow.
    pub fn shared(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// Runs one statement past the store, binding `ids` as `$1, $2, ...`: for checking
    /// what the schema itself allows. Returns the number of rows it changed.
    pub async fn execute_sql(&self, sql: &str, ids: &[i64]) -> Result<u64, sqlx::Error> {
        match &self.place {
            Place::Sqlite { url, .. } => {
                // A connection of its own (foreign keys on, as the store's are).
                let mut connection = sqlx::SqliteConnection::connect(url).await?;
                let mut query = sqlx::query(sql);
                for id in ids {
                    query = query.bind(*id);
                }
                let done = query.execute(&mut connection).await;
                connection.close().await?;
                Ok(done?.rows_affected())
            }
            Place::Postgres { store, .. } => {
                let mut query = sqlx::query(sql);
                for id in ids {
                    query = query.bind(*id);
                }
                Ok(query.execute(store.pool()).await?.rows_affected())
            }
        }
    }

    /// Closes every connection and deletes the data.
    async fn remove(self) {
        match self.place {
            Place::Sqlite { store, .. } => store.close().await,
            Place::Postgres { store, server, database } => {
                store.close().await;
                let mut admin = admin_connection(&server).await;
                run(&mut admin, &server, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await;
                let _ = admin.close().await;
            }
        }
    }
}

/// The server URL (no database), from `ATTUNE_TEST_POSTGRES_URL` or the default.
fn postgres_server() -> String {
    std::env::var("ATTUNE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// A connection to the server's `postgres` database. Fails the test, with what to do about
/// it, when the server cannot be reached: these tests never skip.
async fn admin_connection(server: &str) -> sqlx::PgConnection {
    let url = format!("{server}/postgres");
    let connect = tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(&url));
    match connect.await {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => panic!("{}", unreachable_message(server, &error.to_string())),
        Err(_) => panic!("{}", unreachable_message(server, "no answer within 10 s")),
    }
}

/// Runs an administrative statement that must succeed.
async fn run(admin: &mut sqlx::PgConnection, server: &str, statement: &str) {
    sqlx::query(statement)
        .execute(admin)
        .await
        .unwrap_or_else(|error| panic!("`{statement}` failed on {server}: {error}"));
}

fn unreachable_message(server: &str, error: &str) -> String {
    format!(
        "PostgreSQL is required by the store conformance suite and is not reachable at {server} \
         ({error}). Start it (scripts/ensure-services.sh), or set ATTUNE_TEST_POSTGRES_URL to a \
         server where this user may create databases."
    )
}
