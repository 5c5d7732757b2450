//! Throwaway stores for tests, on either backend.
//!
//! Every store lives in its own place — a temporary directory for SQLite, a database of its
//! own for PostgreSQL — so tests run in parallel without seeing each other. PostgreSQL is
//! found at `ATTUNE_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`); when it
//! cannot be reached the test fails with a message saying so: tests never skip.
//!
//! Tests that need a pack of their own write it with [`write_pack`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use attune_store::Store;
use sqlx::Connection;

/// The backends a suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file in a temporary directory.
    Sqlite,
    /// A database of its own on the test PostgreSQL server.
    Postgres,
}

/// The PostgreSQL server tests use.
pub fn postgres_server_url() -> String {
    std::env::var("ATTUNE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A store that disappears with this value: its directory is removed, its database dropped.
pub struct TestStore {
    /// The store, migrated.
    pub store: Arc<dyn Store>,
    /// Its URL (for processes started by the test).
    pub url: String,
    /// A scratch directory owned by the test (the SQLite file lives here).
    pub dir: tempfile::TempDir,
    database: Option<TestDatabase>,
}

impl TestStore {
    /// A fresh, migrated store on `backend`.
    pub async fn new(backend: Backend) -> TestStore {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (url, database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/attune.db", dir.path().display()), None),
            Backend::Postgres => {
                let database = TestDatabase::create("store").await;
                (database.url(), Some(database))
            }
        };
        let store =
            attune_store::connect(&url).await.unwrap_or_else(|e| panic!("cannot open the test store {url}: {e}"));
        TestStore { store, url, dir, database }
    }

    /// The PostgreSQL database, when on PostgreSQL.
    pub fn database(&self) -> Option<&TestDatabase> {
        self.database.as_ref()
    }
}

/// Writes pack `name` under `root` (`<root>/<name>`, a minimal `pack.yaml` added) with
/// `files` (path in the pack, content); returns its directory. Writing it again replaces
/// those files, for a test that registers a changed pack.
pub fn write_pack(root: &std::path::Path, name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = root.join(name);
    let manifest = format!("ref: {name}\nversion: 1.0.0\n");
    for (path, content) in [("pack.yaml", manifest.as_str())].into_iter().chain(files.iter().copied()) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in the pack")).expect("a pack directory");
        std::fs::write(path, content).expect("a pack file");
    }
    dir
}

/// A uniquely named PostgreSQL database, dropped on drop.
pub struct TestDatabase {
    name: String,
}

impl TestDatabase {
    /// Creates an empty database whose name starts with `attune_test_<tag>`.
    pub async fn create(tag: &str) -> TestDatabase {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "attune_test_{tag}_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos()
        );
        let server = postgres_server_url();
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} is required by this test and cannot be reached: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE");
        TestDatabase { name }
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        format!("{}/{}", postgres_server_url(), self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = format!("{}/postgres", postgres_server_url());
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop may run inside or outside a runtime: use a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().map(|runtime| {
                runtime.block_on(async {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&url).await {
                        let _ = sqlx::query(&statement).execute(&mut admin).await;
                    }
                })
            })
        })
        .join();
        if dropped.is_err() {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}

/// Declares one test per backend for each listed scenario: for `async fn name(backend:
/// Backend)` defined beside the invocation, `backend_tests!(name, other)` expands to
/// `sqlite::name`, `postgres::name`, and so on.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )+
        }
    };
}
