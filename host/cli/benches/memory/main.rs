//! Resident memory of the embedded deployment (`attune server`, release binary) under load
//! and after it: what a burst leaves behind, and what one Python execution in flight costs.
//!
//! Two loads, one after the other, each at the maximum rate for a fixed time, with the
//! trivial WebAssembly action `examples-wasm.echo`:
//!
//! - **webhook**: client tasks post to the webhook benchmark's webhook, whose rule runs the
//!   action for every post (see the webhook benchmark);
//! - **pipeline**: client tasks request executions of the action
//!   (`POST /api/v1/actions/examples-wasm.echo/execute`).
//!
//! A client task sends its next request as soon as the last was answered; a `503
//! overloaded` makes it wait a little, so the rate is whatever the server accepts. The
//! server's resident memory (`VmRSS`) is read every second: printed every
//! `ATTUNE_BENCH_REPORT_S`, and summed up as start, peak, end (once every accepted request's
//! execution has completed) and after `ATTUNE_BENCH_IDLE_S` of idleness.
//!
//! Then the **Python** figure ([`python`]): executions of `examples-wasm.http_get` (a
//! componentize-py guest) against a local HTTP server that holds each request until told,
//! so that a known number are in flight at once; the resident memory with them in flight
//! less the memory before, divided by their number, is what one more concurrent execution
//! costs. The first execution builds and compiles the component (a minute or so).
//!
//! Run with `cargo bench -p attune --bench memory` (after `cargo build --release -p attune
//! -p attune-runtime-native --bins`). Knobs:
//!
//! | variable | default | what |
//! | --- | --- | --- |
//! | `ATTUNE_BENCH_DURATION_S` | 90 | seconds of each load |
//! | `ATTUNE_BENCH_IDLE_S` | 60 | seconds of idleness after each load |
//! | `ATTUNE_BENCH_REPORT_S` | 10 | seconds between printed samples |
//! | `ATTUNE_BENCH_CONCURRENCY` | 8 | client tasks sending requests |
//! | `ATTUNE_BENCH_PYTHON_IN_FLIGHT` | `1,4,8,16` | Python executions held in flight, in turn |
//! | `ATTUNE_BENCH_LOG` | `warn` | `RUST_LOG` of the server |
//! | `ATTUNE_BENCH_BINARY` | the built `attune` | another build to measure |

#[path = "../common/mod.rs"]
#[allow(dead_code, reason = "this benchmark uses the deployments and the client, not the load drivers")]
mod common;
mod load;
mod python;
#[path = "../webhook/measure.rs"]
#[allow(dead_code, reason = "this benchmark shares the webhook benchmark's set-up, not its measurements")]
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use common::client::Api;
use common::deployment::{self, Deployment, Mode};
use common::stats::load_average;
use load::{Load, Resident};

fn main() {
    let settings = load::Settings {
        duration: Duration::from_secs(knob("ATTUNE_BENCH_DURATION_S", 90)),
        idle: Duration::from_secs(knob("ATTUNE_BENCH_IDLE_S", 60)),
        report: Duration::from_secs(knob("ATTUNE_BENCH_REPORT_S", 10)),
        concurrency: usize::try_from(knob("ATTUNE_BENCH_CONCURRENCY", 8)).unwrap_or(8),
    };
    let in_flight = in_flight_steps();
    let log = std::env::var("ATTUNE_BENCH_LOG").unwrap_or_else(|_| "warn".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    runtime.block_on(async {
        println!(
            "resident memory: {} s of each load from {} client tasks, then {} s idle",
            settings.duration.as_secs(),
            settings.concurrency,
            settings.idle.as_secs()
        );
        println!("load average before: {}", load_average());
        let deployment = Deployment::start(Mode::Embedded, "bench_memory", &log).await;
        let api = Arc::new(Api::login(&deployment.url, deployment::ADMIN_PASSWORD).await);
        webhook::set_up(&api).await;
        let mut figures = Vec::new();
        let mut ledger = load::Ledger::default();
        for load in [Load::Webhook, Load::Pipeline] {
            let resident = load::run(&api, &deployment, load, &settings, &mut ledger).await;
            figures.push((load, resident));
        }
        let python = python::per_execution(&api, &deployment, &in_flight).await;
        println!("load average after: {}", load_average());
        println!();
        println!("{}", Resident::header());
        for (load, resident) in &figures {
            println!("{}", resident.row(&load.to_string()));
        }
        println!();
        print!("{python}");
    });
}

/// A whole number from `name`, or `default` when it is not set.
fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name}: not a number: {v}")))
}

/// The numbers of Python executions held in flight, in turn.
fn in_flight_steps() -> Vec<usize> {
    let text = std::env::var("ATTUNE_BENCH_PYTHON_IN_FLIGHT").unwrap_or_else(|_| "1,4,8,16".into());
    text.split(',')
        .map(|n| n.trim().parse().unwrap_or_else(|_| panic!("ATTUNE_BENCH_PYTHON_IN_FLIGHT: not a number: {n}")))
        .collect()
}
