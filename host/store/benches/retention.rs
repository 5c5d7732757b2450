//! Collecting a million rows: how long retention takes to delete a large backlog of
//! history, batch by batch, on SQLite and on PostgreSQL, and the longest a single batch
//! (the longest any lock is held) took.
//!
//! `cargo bench -p attune-store --bench retention`. `ATTUNE_BENCH_ROWS` sets the number of
//! ended executions (default 1,000,000; each with one output line, one processed event
//! and one audit entry); `ATTUNE_BENCH_BATCH` the batch size (default 1,000);
//! `ATTUNE_BENCH_MODES=sqlite` or `postgres` runs one backend (PostgreSQL at
//! `ATTUNE_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/`).

use std::time::{Duration, Instant};

use attune_store::{Collectable, Due, PostgresStore, SqliteStore, Store};
use sqlx::Connection;

/// The statements that fill the tables with ended executions (each with an output line),
/// processed events and audit entries, all a year old; each inserts one chunk of `series`.
fn fill_statements(postgres: bool) -> Vec<String> {
    let old =
        if postgres { "now() - interval '365 days'" } else { "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-365 days')" };
    let json = if postgres { "'{}'::jsonb" } else { "'{}'" };
    vec![
        format!(
            "INSERT INTO execution (action_ref, config, status, parameters, finished, created, updated) \
             SELECT 'bench.noop', {json}, 'completed', {json}, {old}, {old}, {old} FROM series"
        ),
        format!(
            "INSERT INTO execution_output (execution, seq, stream, text, created) \
             SELECT e.id, 1, 'stdout', 'a line of output', {old} FROM execution e \
             WHERE NOT EXISTS (SELECT 1 FROM execution_output o WHERE o.execution = e.id)"
        ),
        format!(
            "INSERT INTO event (trigger_ref, config, payload, processed, created, updated) \
             SELECT 'bench.tick', {json}, {json}, {old}, {old}, {old} FROM series"
        ),
        format!(
            "INSERT INTO audit_entry (at, action, resource_type, outcome) SELECT {old}, 'key.decrypt', 'key', 'ok' FROM series"
        ),
    ]
}

/// Fills the database at `$url` (a connection of type `$connection`) with `$rows` of each,
/// by plain SQL over a recursive series, 100,000 rows per transaction.
macro_rules! fill {
    ($connection:ty, $url:expr, $rows:expr, $postgres:expr) => {{
        let rows: u64 = $rows;
        let mut connection = <$connection>::connect($url).await.expect("connect to fill");
        let mut done = 0;
        while done < rows {
            let n = (rows - done).min(100_000);
            let series =
                format!("WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < {n}) ");
            let mut tx = connection.begin().await.unwrap();
            for statement in fill_statements($postgres) {
                let sql = format!("{series}{statement}");
                sqlx::query(&sql).execute(&mut *tx).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            tx.commit().await.unwrap();
            done += n;
        }
    }};
}

/// Collects each kind, batch by batch, printing rows, time, rows per second and the
/// longest batch.
async fn collect(name: &str, store: &dyn Store, batch: u32) {
    let due = Due { before: Some(chrono::Utc::now() - chrono::TimeDelta::days(30)), keep: None };
    for kind in [Collectable::Output, Collectable::Executions, Collectable::Events, Collectable::Audit] {
        let started = Instant::now();
        let (mut total, mut longest) = (0u64, Duration::ZERO);
        loop {
            let one = Instant::now();
            let deleted = store.collect(kind, due, batch).await.expect("collect");
            longest = longest.max(one.elapsed());
            total += deleted;
            if deleted < u64::from(batch) {
                break;
            }
        }
        let took = started.elapsed();
        println!(
            "{name:<10} {:<12} {total:>9} rows in {:>7.1} s  {:>8.0} rows/s  longest batch {:>6.1} ms",
            kind.as_str(),
            took.as_secs_f64(),
            total as f64 / took.as_secs_f64(),
            longest.as_secs_f64() * 1000.0
        );
    }
}

#[tokio::main]
async fn main() {
    let rows: u64 = std::env::var("ATTUNE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let batch: u32 = std::env::var("ATTUNE_BENCH_BATCH").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let modes = std::env::var("ATTUNE_BENCH_MODES").unwrap_or_else(|_| "sqlite,postgres".into());
    println!(
        "retention: {rows} ended executions (each with an output line), {rows} events, {rows} audit entries; batches of {batch}"
    );
    if modes.contains("sqlite") {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        store.migrate().await.unwrap();
        let filling = Instant::now();
        fill!(sqlx::SqliteConnection, &url, rows, false);
        println!("sqlite     filled in {:.1} s", filling.elapsed().as_secs_f64());
        collect("sqlite", &store, batch).await;
    }
    if modes.contains("postgres") {
        let server =
            std::env::var("ATTUNE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/".into());
        let server = server.trim_end_matches('/').to_owned();
        let database = format!("attune_bench_retention_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {database}")).execute(&mut admin).await.unwrap();
        let url = format!("{server}/{database}");
        let store = PostgresStore::open(&url).await.unwrap();
        store.migrate().await.unwrap();
        let filling = Instant::now();
        fill!(sqlx::PgConnection, &url, rows, true);
        println!("postgres   filled in {:.1} s", filling.elapsed().as_secs_f64());
        collect("postgres", &store, batch).await;
        store.close().await;
        sqlx::query(&format!("DROP DATABASE {database} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    }
}
