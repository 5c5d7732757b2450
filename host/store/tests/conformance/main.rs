//! The store's conformance suite: every test body is written once and runs against every
//! backend, SQLite and PostgreSQL, each run on a fresh database of its own.
//!
//! A test body is an `async fn name(store: &TestStore)` in an aggregate's module; the
//! module's `conformance_tests!(name, ...)` turns each into `sqlite::name` and
//! `postgres::name` tests. A body missing from that list is never called, which the
//! compiler reports as dead code.
//!
//! PostgreSQL must be reachable (`ATTUNE_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/`, a user allowed to create databases): the
//! PostgreSQL tests fail, never skip, when it is not.

#![deny(dead_code)]

/// Runs the named test bodies of the calling module against every backend: generates a
/// `#[tokio::test]` per body in a module per backend.
macro_rules! conformance_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    crate::support::Backend::Sqlite.run(super::$name).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    crate::support::Backend::Postgres.run(super::$name).await;
                }
            )+
        }
    };
}

/// The refs of a page's rows, in order.
macro_rules! refs {
    ($page:expr) => {
        $page.items.iter().map(|row| row.r#ref.clone()).collect::<Vec<String>>()
    };
}

mod admissions;
mod audit;
mod cascades;
mod concurrency;
mod credentials;
mod events;
mod executions;
mod groups;
mod holders;
mod identities;
mod inquiries;
mod keys;
mod operations;
mod output;
mod packs;
mod permissions;
mod registration;
mod retention;
mod rules;
mod support;
mod webhooks;
mod workers;
mod workflows;
