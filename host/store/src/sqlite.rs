//! The SQLite backend: the embedded default.
//!
//! SQLite allows one writer at a time; a write transaction that starts as a reader and later
//! writes can fail with "database is locked" when another writer got there first. Routing
//! every write through a single-connection pool serializes writers in the process (cheap:
//! SQLite writes are fast) while readers use their own connections concurrently (WAL).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use crate::{Store, StoreResult};

/// A store on an SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path/to/attune.db`).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        Ok(Self { writer, reader })
    }

    /// Applies pending migrations from `migrations/sqlite`.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../../migrations/sqlite").run(&self.writer).await?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    fn write_pool(&self) -> &SqlitePool {
        &self.writer
    }

    fn read_pool(&self) -> &SqlitePool {
        &self.reader
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

crate::sql::impl_pack_store!(SqliteStore, Sqlite);
crate::sql::impl_execution_store!(SqliteStore, Sqlite);
crate::sql::impl_admission_store!(SqliteStore, Sqlite);
crate::sql::impl_event_store!(SqliteStore, Sqlite);
crate::sql::impl_inquiry_store!(SqliteStore, Sqlite);
crate::sql::impl_identity_store!(SqliteStore, Sqlite);
crate::sql::impl_key_store!(SqliteStore, Sqlite);
crate::sql::impl_operations_store!(SqliteStore, Sqlite);
crate::sql::impl_workflow_store!(
    SqliteStore,
    Sqlite,
    "UPDATE execution SET updated = updated WHERE id = $1 AND status = $2 RETURNING id"
);
crate::sql::impl_webhook_store!(SqliteStore, Sqlite);
crate::sql::impl_credential_store!(SqliteStore, Sqlite);
