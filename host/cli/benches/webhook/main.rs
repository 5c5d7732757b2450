//! Webhook-to-action figures: events per second and latency percentiles from a post to a
//! webhook to the completion of the action its rule runs, through the real `attune` binary
//! in the embedded deployment (`attune server`: SQLite, in-process bus), data in a
//! temporary directory.
//!
//! One webhook (`bench`) and one rule on `core.webhook` with criteria that every post
//! matches (`trigger.body.kind equals bench`), running the trivial WebAssembly action
//! `examples-wasm.echo` with the event's id in its message. So each post goes the whole
//! way: the API stores the event and answers `202`; the executor matches the rule, renders
//! its parameters, records the enforcement and requests the execution; a worker runs it.
//!
//! Run with `cargo bench -p attune --bench webhook` (release build). Knobs (see
//! [`common::settings`]):
//!
//! | variable | default | what |
//! | --- | --- | --- |
//! | `ATTUNE_BENCH_EVENTS` | 2000 | posts per throughput run |
//! | `ATTUNE_BENCH_CONCURRENCY` | 8 | client tasks posting them |
//! | `ATTUNE_BENCH_WARM_UP` | 20 | run first, not measured |
//! | `ATTUNE_BENCH_LATENCY_SAMPLES` | 500 | posts per latency run |
//! | `ATTUNE_BENCH_IN_FLIGHT` | 2 | posts in flight during a latency run |
//! | `ATTUNE_BENCH_POLL_MS` | 2 | how often those are polled |
//! | `ATTUNE_BENCH_MODES` | `embedded` | deployments (`distributed` as in the pipeline benchmark) |
//! | `ATTUNE_BENCH_LOG` | `warn` | `RUST_LOG` of the started processes |
//! | `ATTUNE_BENCH_BINARY` | the built `attune` | another build to measure (e.g. an earlier commit's) |
//!
//! **Throughput** ([`measure::throughput`]): the client tasks post as fast as the API
//! accepts; the clock runs from the first post until every post's execution has completed.
//!
//! **Raw floor** ([`floor`]): after the throughput run, the rows each event cost the store
//! are written by a plain batched loop into a fresh store of the same kind; the throughput
//! is reported as a fraction of that.
//!
//! **Latency** ([`measure::latency`]): a fixed number of posts in flight, each sent as soon
//! as the previous one of its slot was seen completed, so that nothing queues; the latency
//! is from just before the post to the poll that saw its execution ended (`completed`,
//! checked), split into stages by the stored timestamps of the event and the execution.

#[path = "../common/mod.rs"]
mod common;
mod floor;
mod measure;

use common::report::Row;
use common::run::{Shape, run};
use common::settings::Settings;

fn main() {
    let settings = Settings::from_env("ATTUNE_BENCH_EVENTS", "embedded");
    let shape = Shape {
        title: "webhooks to actions",
        what: "posts",
        tag: "bench_webhook",
        rate: "events/s",
        stages: &measure::STAGES,
        legend: measure::LEGEND,
    };
    run(&settings, &shape, async |api, mode| {
        measure::set_up(&api).await;
        let mut ledger = measure::ledger();
        measure::latency(&api, settings.warm_up, settings.in_flight, settings.poll, &mut ledger).await;
        let latency =
            measure::latency(&api, settings.latency_samples, settings.in_flight, settings.poll, &mut ledger).await;
        let throughput = measure::throughput(&api, settings.count, settings.concurrency, &mut ledger).await;
        let floor = floor::events_per_second(mode).await;
        println!(
            "{mode}: raw floor {floor:.0} events/s (the same rows by a plain loop, {} events a transaction); \
             fully processed {:.0}/s = {:.0}% of it",
            floor::EVENTS_PER_TRANSACTION,
            throughput.per_second(),
            100.0 * throughput.per_second() / floor
        );
        vec![Row { mode, subject: measure::RULE, throughput, latency }]
    });
}
