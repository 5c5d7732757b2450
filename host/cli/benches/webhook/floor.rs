//! The raw floor: the rows one webhook event costs the store, written by a plain loop in
//! batches, straight through the same driver into the same kind of store (a fresh database
//! with Attune's schema and the repository's packs), with none of the pipeline around it.
//! What the pipeline reaches, as a fraction of this, is how much the store is the limit.
//!
//! Per event, as the pipeline writes them: the event; the enforcement; the execution
//! (`requested`, its action looked up by the insert); the enforcement and the event marked
//! processed; the execution's three status changes (`scheduled`, `running`, `completed`
//! with its result); one line of output. [`EVENTS_PER_TRANSACTION`] events
//! share a transaction.

use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;

use crate::common::deployment::Mode;

/// Events written per transaction.
pub const EVENTS_PER_TRANSACTION: usize = 100;

/// Events written per measurement.
const EVENTS: usize = 20_000;

/// Writes `$events` events' rows on `$connection` in batches; evaluates to the time taken.
macro_rules! write_rows {
    ($connection:ident, $events:expr) => {{
        let started = Instant::now();
        let config = json!({"runner_type": "wasm", "entry_point": "echo.wat"});
        for _ in 0..$events / EVENTS_PER_TRANSACTION {
            let mut tx = $connection.begin().await.expect("begin");
            for _ in 0..EVENTS_PER_TRANSACTION {
                let now = chrono::Utc::now();
                let event: i64 = sqlx::query_scalar(
                    "INSERT INTO event (trigger, trigger_ref, config, payload, created, updated) \
                     VALUES ((SELECT id FROM trigger WHERE ref = $1), $1, $2, $3, $4, $4) RETURNING id",
                )
                .bind("core.webhook")
                .bind(json!({"trigger_parameters": {"name": "bench"}}))
                .bind(json!({"body": {"kind": "bench"}}))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .expect("event");
                let enforcement: i64 = sqlx::query_scalar(
                    "INSERT INTO enforcement (rule, rule_ref, trigger_ref, event, config, status, payload, \
                     condition, criteria, created, updated) VALUES ((SELECT id FROM rule WHERE ref = $1), $1, $2, \
                     $3, $4, 'created', $5, 'all', $6, $7, $7) RETURNING id",
                )
                .bind("examples-wasm.bench_webhook")
                .bind("core.webhook")
                .bind(event)
                .bind(json!({"action_ref": "examples-wasm.echo"}))
                .bind(json!({"body": {"kind": "bench"}}))
                .bind(json!({"trigger.body.kind": {"type": "equals", "pattern": "bench"}}))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .expect("enforcement");
                let execution: i64 = sqlx::query_scalar(
                    "INSERT INTO execution (action, action_ref, config, enforcement, rule_ref, trigger_ref, status, \
                     parameters, attempt, created, updated, sealed_parameters) SELECT id, $1, $2, $3, $4, $5, \
                     'requested', $6, 1, $7, $7, '[]' FROM action WHERE ref = $1 RETURNING id",
                )
                .bind("examples-wasm.echo")
                .bind(&config)
                .bind(enforcement)
                .bind("examples-wasm.bench_webhook")
                .bind("core.webhook")
                .bind(json!({"message": format!("event {event}")}))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .expect("execution");
                let processed = ["UPDATE enforcement SET status = 'processed', updated = $1 WHERE id = $2",
                    "UPDATE event SET processed = $1, updated = $1 WHERE id = $2"];
                for (sql, id) in processed.into_iter().zip([enforcement, event]) {
                    sqlx::query(sql).bind(now).bind(id).execute(&mut *tx).await.expect("processed");
                }
                for (from, to) in [("requested", "scheduled"), ("scheduled", "running")] {
                    sqlx::query("UPDATE execution SET status = $1, updated = $2 WHERE id = $3 AND status = $4")
                        .bind(to)
                        .bind(now)
                        .bind(execution)
                        .bind(from)
                        .execute(&mut *tx)
                        .await
                        .expect("status");
                }
                sqlx::query(
                    "UPDATE execution SET status = 'completed', result = $1, finished = $2, updated = $2 \
                     WHERE id = $3 AND status = 'running'",
                )
                .bind(json!({"message": format!("event {event}")}))
                .bind(now)
                .bind(execution)
                .execute(&mut *tx)
                .await
                .expect("completed");
                sqlx::query(
                    "INSERT INTO execution_output (execution, seq, stream, text, created) \
                     VALUES ($1, 1, 'stdout', $2, $3)",
                )
                .bind(execution)
                .bind(format!("event {event}"))
                .bind(now)
                .execute(&mut *tx)
                .await
                .expect("output");
            }
            tx.commit().await.expect("commit");
        }
        let elapsed: Duration = started.elapsed();
        $connection.close().await.ok();
        elapsed
    }};
}

/// The floor of `mode`'s store in events per second.
pub async fn events_per_second(mode: Mode) -> f64 {
    let scratch = tempfile::tempdir().expect("scratch directory");
    let (url, _database) = match mode {
        Mode::Embedded => (format!("sqlite://{}/floor.db", scratch.path().display()), None),
        Mode::Distributed => {
            let database = attune_test_support::TestDatabase::create("bench_floor").await;
            (database.url(), Some(database))
        }
    };
    let store = attune_store::connect(&url).await.expect("store");
    let packs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs");
    attune_packs::register_packs_dir(store.as_ref(), &packs).await.expect("packs");
    drop(store);
    let elapsed = match mode {
        Mode::Embedded => {
            use std::str::FromStr;
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
                .expect("url")
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true);
            let mut connection = sqlx::SqliteConnection::connect_with(&options).await.expect("connect");
            write_rows!(connection, EVENTS)
        }
        Mode::Distributed => {
            let mut connection = sqlx::PgConnection::connect(&url).await.expect("connect");
            write_rows!(connection, EVENTS)
        }
    };
    EVENTS as f64 / elapsed.as_secs_f64()
}
