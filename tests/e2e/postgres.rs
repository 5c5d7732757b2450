//! The same binary on PostgreSQL: a database of its own per test, dropped afterwards.

use attune_test_support::TestDatabase;

use crate::support::{Server, attune};

#[tokio::test]
async fn the_server_runs_on_postgres() {
    let database = TestDatabase::create("e2e_server").await;
    let data = tempfile::tempdir().unwrap();

    let migrate = attune(data.path()).env("ATTUNE__DATABASE__URL", database.url()).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("(postgres) is up to date"));

    let mut command = attune(data.path());
    command.env("ATTUNE__DATABASE__URL", database.url());
    let server = Server::start(command);
    let (_, health) = server.call("GET", "/health", None, None).await;
    assert_eq!(health["store"]["backend"], "postgres");
    assert!(!data.path().join("attune.db").exists(), "no SQLite file in PostgreSQL mode");

    let token = server.login("admin", &server.admin_password().unwrap()).await;
    let (status, triggers) = server.call("GET", "/api/v1/triggers?pack=core", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(triggers["pagination"]["total"], 4);
    assert!(server.stop());
}
