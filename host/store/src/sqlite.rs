//! The SQLite backend: the embedded default.
//!
//! SQLite allows one writer at a time; a write transaction that starts as a reader and later
//! writes can fail with "database is locked" when another writer got there first. Routing
//! every write through a single-connection pool serializes writers in the process (cheap:
//! SQLite writes are fast) while readers use their own connections concurrently (WAL).
//! The hot writes go through the [group commit](crate::group) on that same connection, so
//! concurrent ones share a transaction, and the most frequent of them (status changes,
//! output) are [coalesced](crate::coalesce) into shared statements. The definitions every event reads are
//! [memoized](crate::cache).
//!
//! `synchronous = NORMAL` in WAL mode: a commit is in the WAL file (the operating system's
//! page cache) when it returns, so a killed process loses nothing it acknowledged; the WAL
//! is synced to disk at checkpoints, so a power cut may lose the last commits.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use crate::cache::{Changing, Definitions};
use crate::coalesce::Coalesced;
use crate::group::{Commit, GroupWriter};
use crate::{Store, StoreResult};

/// A store on an SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    group: GroupWriter<Sqlite>,
    coalesced: Arc<Coalesced>,
    definitions: Arc<Definitions>,
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
        // No ping before handing out a connection: it is a round trip to the connection's
        // thread on every operation, and a local file does not go away between two uses.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        let group = GroupWriter::new(writer.clone(), Commit::Grouped);
        let coalesced = Arc::new(Coalesced::start(&group));
        Ok(Self { group, coalesced, writer, reader, definitions: Arc::default() })
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

    /// The pool of the writes outside the group commit, for the duration of `changing`:
    /// any of them may change a memoized definition.
    fn write_pool(&self, _: &Changing<'_>) -> &SqlitePool {
        &self.writer
    }

    /// Held by a write outside the group commit for its whole duration.
    fn changing(&self) -> Changing<'_> {
        Changing::of(Some(&self.definitions))
    }

    fn read_pool(&self) -> &SqlitePool {
        &self.reader
    }

    fn group(&self) -> &GroupWriter<Sqlite> {
        &self.group
    }

    fn definitions(&self) -> Option<&Definitions> {
        Some(&self.definitions)
    }

    fn coalesced(&self) -> Option<&Coalesced> {
        Some(&self.coalesced)
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
crate::sql::impl_audit_store!(SqliteStore, Sqlite);
crate::sql::impl_retention_store!(SqliteStore, Sqlite);
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
