//! Attune's store: the source of truth for every entity.
//!
//! The bus only carries hints; everything that matters (executions and their status,
//! events, queues, workflow state) lives here, and every status change is a conditional
//! update so that duplicate or replayed work is harmless.
//!
//! Module plan:
//! - [`api`]: the traits, one per aggregate ([`PackStore`], [`ExecutionStore`], ...), and
//!   [`Store`], which combines them. Callers hold an `Arc<dyn Store>`.
//! - `sql`: the SQL behind each trait, written once and instantiated for both backends by
//!   macros (the SQL text is shared: both engines accept `$n` placeholders, `RETURNING` and
//!   `ON CONFLICT`).
//! - `group`: group commit, the write path of the hot writes (events, enforcements,
//!   executions and their status changes, output): on SQLite concurrent writes share one
//!   transaction and are answered once it has committed; on PostgreSQL, which groups
//!   concurrent commits itself, each is its own transaction, side by side.
//! - `coalesce`: on SQLite, concurrent status changes and output appends made by shared
//!   statements.
//! - `cache`: the embedded store's memo of the definitions every event reads (identities
//!   and permission sets, packs, actions, rules, policies, webhooks).
//! - [`sqlite`]: the embedded default (WAL; one writer connection, several readers).
//! - [`postgres`]: the distributed backend.
//! - [`connect`]: opens the backend a database URL names and applies its migrations
//!   (`migrations/sqlite` or `migrations/postgres`).

pub mod api;
mod cache;
mod coalesce;
mod error;
mod group;
pub mod postgres;
mod sql;
pub mod sqlite;

use std::sync::Arc;

pub use api::admissions::AdmissionStore;
pub use api::audit::{AuditFilter, AuditStore};
pub use api::credentials::CredentialStore;
pub use api::events::{EnforcementFilter, EventFilter, EventStore};
pub use api::executions::ExecutionStore;
pub use api::identities::{IdentityPatch, IdentityStore};
pub use api::inquiries::InquiryStore;
pub use api::keys::{KeyFilter, KeyStore};
pub use api::operations::OperationsStore;
pub use api::packs::{ComponentFilter, PackStore, RuleFilter};
pub use api::retention::{Collectable, Due, RetentionStore};
pub use api::webhooks::WebhookStore;
pub use api::workflows::{FinishedRun, ItemOutcome, WorkflowStore};
pub use error::{StoreError, StoreResult};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Every store trait together: what the services hold.
pub trait Store:
    PackStore
    + ExecutionStore
    + AdmissionStore
    + AuditStore
    + RetentionStore
    + EventStore
    + InquiryStore
    + IdentityStore
    + KeyStore
    + OperationsStore
    + WorkflowStore
    + WebhookStore
    + CredentialStore
    + Send
    + Sync
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// Opens the store a URL names (`sqlite://path` or `postgres://...`) and brings its schema
/// up to date.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PostgresStore::open(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
