//! The PostgreSQL backend: for distributed deployments, where several processes share the
//! store.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::cache::{Changing, Definitions};
use crate::coalesce::Coalesced;
use crate::group::{Commit, GroupWriter};
use crate::{Store, StoreResult};

/// A store on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    group: GroupWriter<Postgres>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        // Every role keeps a few connections; a worker's executions and the API's requests
        // are short, so 16 is plenty without crowding PostgreSQL's default of 100.
        // No ping before handing out a connection (a network round trip on every
        // operation); a connection that broke fails the query that meets it.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { group: GroupWriter::new(pool.clone(), Commit::Alone), pool })
    }

    /// Applies pending migrations from `migrations/postgres`.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../../migrations/postgres").run(&self.pool).await?;
        Ok(())
    }

    /// The connection pool (for LISTEN/NOTIFY and maintenance).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn write_pool(&self, _: &Changing<'_>) -> &PgPool {
        &self.pool
    }

    /// Nothing memoized, nothing to forget.
    fn changing(&self) -> Changing<'_> {
        Changing::of(None)
    }

    fn read_pool(&self) -> &PgPool {
        &self.pool
    }

    fn group(&self) -> &GroupWriter<Postgres> {
        &self.group
    }

    /// None: every role of a distributed deployment reads what the others wrote at once.
    fn definitions(&self) -> Option<&Definitions> {
        None
    }

    /// None: each write is its own statement, side by side with the others.
    fn coalesced(&self) -> Option<&Coalesced> {
        None
    }
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
}

crate::sql::impl_pack_store!(PostgresStore, Postgres);
crate::sql::impl_execution_store!(PostgresStore, Postgres);
crate::sql::impl_admission_store!(PostgresStore, Postgres);
crate::sql::impl_audit_store!(PostgresStore, Postgres);
crate::sql::impl_retention_store!(PostgresStore, Postgres);
crate::sql::impl_event_store!(PostgresStore, Postgres);
crate::sql::impl_inquiry_store!(PostgresStore, Postgres);
crate::sql::impl_identity_store!(PostgresStore, Postgres);
crate::sql::impl_key_store!(PostgresStore, Postgres);
crate::sql::impl_operations_store!(PostgresStore, Postgres);
crate::sql::impl_workflow_store!(
    PostgresStore,
    Postgres,
    "SELECT id FROM execution WHERE id = $1 AND status = $2 FOR NO KEY UPDATE"
);
crate::sql::impl_webhook_store!(PostgresStore, Postgres);
crate::sql::impl_credential_store!(PostgresStore, Postgres);
