//! The same binary on PostgreSQL: a database of its own per test, dropped afterwards.

use sqlx::Connection;

use crate::support::{Server, attune};

/// The server every test database lives on (`ATTUNE_TEST_POSTGRES_URL` overrides).
fn server_url() -> String {
    std::env::var("ATTUNE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A uniquely named database, dropped on drop.
struct TestDatabase {
    name: String,
}

impl TestDatabase {
    async fn create(tag: &str) -> TestDatabase {
        let name = format!("attune_e2e_{tag}_{}_{}", std::process::id(), rand_suffix());
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", server_url()))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL at {} is required for these tests: {e}",
                    server_url()
                )
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        TestDatabase { name }
    }

    fn url(&self) -> String {
        format!("{}/{}", server_url(), self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = format!("{}/postgres", server_url());
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop runs outside the test's runtime: use a small one of its own.
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&url).await {
                    let _ = sqlx::query(&statement).execute(&mut admin).await;
                }
            })
        })
        .join()
        .unwrap();
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now()) % 1_000_000
}

#[tokio::test]
async fn the_server_runs_on_postgres() {
    let database = TestDatabase::create("server").await;
    let data = tempfile::tempdir().unwrap();

    let migrate = attune(data.path())
        .env("ATTUNE__DATABASE__URL", database.url())
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("(postgres) is up to date"));

    let mut command = attune(data.path());
    command.env("ATTUNE__DATABASE__URL", database.url());
    let server = Server::start(command);
    let (_, health) = server.call("GET", "/health", None, None).await;
    assert_eq!(health["store"]["backend"], "postgres");
    assert!(
        !data.path().join("attune.db").exists(),
        "no SQLite file in PostgreSQL mode"
    );

    let token = server
        .login("admin", &server.admin_password().unwrap())
        .await;
    let (status, triggers) = server
        .call("GET", "/api/v1/triggers?pack=core", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(triggers["pagination"]["total"], 4);
    assert!(server.stop());
}
