//! The SQL behind the store traits, written once for both backends.
//!
//! Each submodule exports a macro `impl_<trait>!(StoreType, Database)` that implements one
//! trait for one backend; `sqlite.rs` and `postgres.rs` instantiate them. The store type
//! provides `read_pool()`; `write_pool(&changing)` for the writes outside the group commit,
//! each holding `let changing = self.changing();` from its start to its end (see the
//! [memo](crate::cache)); `group()` (its [group commit](crate::group)); and
//! `definitions()` (its memo, if it keeps one); `coalesced()` (its
//! [coalescing writers](crate::coalesce), if it has them). Queries use `$n` placeholders, which both
//! engines accept; dynamic filters use `QueryBuilder`, which emits each engine's own.

pub(crate) mod admissions;
mod audit;
mod credentials;
mod events;
pub(crate) mod executions;
pub(crate) mod identities;
mod inquiries;
mod keys;
mod operations;
mod packs;
pub(crate) mod retention;
mod webhooks;
pub(crate) mod workflows;

pub(crate) use admissions::impl_admission_store;
pub(crate) use audit::impl_audit_store;
pub(crate) use credentials::impl_credential_store;
pub(crate) use events::impl_event_store;
pub(crate) use executions::impl_execution_store;
pub(crate) use identities::impl_identity_store;
pub(crate) use inquiries::impl_inquiry_store;
pub(crate) use keys::impl_key_store;
pub(crate) use operations::impl_operations_store;
pub(crate) use packs::impl_pack_store;
pub(crate) use retention::impl_retention_store;
pub(crate) use webhooks::impl_webhook_store;
pub(crate) use workflows::impl_workflow_store;

use attune_domain::Timestamp;
use chrono::SubsecRound;

/// The current time at the precision both engines store (microseconds), so that a value
/// written and read back compares equal.
pub(crate) fn now() -> Timestamp {
    chrono::Utc::now().trunc_subsecs(6)
}

/// Runs a filtered `COUNT(*)` and a filtered, ordered, paginated `SELECT *` over one table
/// and returns a [`attune_domain::page::Page`]. The filter block pushes `AND ...` clauses
/// onto the builder it is given; it runs once per query.
macro_rules! fetch_page {
    ($pool:expr, $db:ty, $row:ty, $table:literal, $order:literal, $page:expr, |$qb:ident| $filter:block) => {{
        let page: attune_domain::page::PageRequest = $page;
        let mut $qb = sqlx::QueryBuilder::<$db>::new(concat!("SELECT COUNT(*) FROM ", $table, " WHERE 1=1"));
        $filter
        let total: i64 = $qb.build_query_scalar().fetch_one($pool).await?;
        let mut $qb = sqlx::QueryBuilder::<$db>::new(concat!("SELECT * FROM ", $table, " WHERE 1=1"));
        $filter
        $qb.push(concat!(" ORDER BY ", $order, " LIMIT "))
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
        let items = $qb.build_query_as::<$row>().fetch_all($pool).await?;
        attune_domain::page::Page { items, request: page, total: total as u64 }
    }};
}
pub(crate) use fetch_page;

/// `$load` (an expression of type `StoreResult<V>`), memoized in the store's
/// [`Definitions`](crate::cache::Definitions) `$memo` under `$key` when the store keeps
/// any (`definitions()` is `Some`).
macro_rules! memoized {
    ($store:expr, $memo:ident, $key:expr, $load:expr) => {{
        match $store.definitions() {
            Some(definitions) => definitions.get(&definitions.$memo, $key, async || $load).await,
            None => $load,
        }
    }};
}
pub(crate) use memoized;

/// Fetches one row by a key column or fails with not-found.
macro_rules! fetch_one_by {
    ($pool:expr, $row:ty, $sql:literal, $entity:literal, $key:expr) => {{
        let key = $key;
        sqlx::query_as::<_, $row>($sql)
            .bind(key.clone())
            .fetch_optional($pool)
            .await?
            .ok_or_else(|| $crate::StoreError::not_found($entity, key))
    }};
}
pub(crate) use fetch_one_by;

/// Runs a `DELETE` by a key column or fails with not-found when nothing was deleted.
macro_rules! delete_by {
    ($pool:expr, $sql:literal, $entity:literal, $key:expr) => {{
        let key = $key;
        let done = sqlx::query($sql).bind(key.clone()).execute($pool).await?;
        if done.rows_affected() == 0 { Err($crate::StoreError::not_found($entity, key)) } else { Ok(()) }
    }};
}
pub(crate) use delete_by;
