//! End-to-end figures of the execution pipeline: executions per second and latency
//! percentiles of a trivial WebAssembly action (`examples-wasm.echo`) and a trivial shell
//! action (`core.noop`), through the real `attune` binary, in both deployments:
//!
//! - embedded: `attune server` (SQLite, in-process bus), data in a temporary directory;
//! - distributed: `attune api`, `attune executor` and two `attune worker`s as separate
//!   processes on a PostgreSQL database and a RabbitMQ queue prefix of the run's own,
//!   dropped and deleted afterwards.
//!
//! Run with `cargo bench -p attune --bench pipeline` (release build). PostgreSQL and
//! RabbitMQ are found where the end-to-end tests find them (`ATTUNE_TEST_POSTGRES_URL`,
//! default `postgres://postgres@127.0.0.1:5432`; `ATTUNE_TEST_AMQP_URL`, default
//! `amqp://guest:guest@127.0.0.1:5672/%2f`). Knobs (see [`common::settings`]):
//!
//! | variable | default | what |
//! | --- | --- | --- |
//! | `ATTUNE_BENCH_EXECUTIONS` | 2000 | executions per throughput run |
//! | `ATTUNE_BENCH_CONCURRENCY` | 8 | client tasks submitting them |
//! | `ATTUNE_BENCH_WARM_UP` | 20 | run first, not measured |
//! | `ATTUNE_BENCH_LATENCY_SAMPLES` | 500 | executions per latency run |
//! | `ATTUNE_BENCH_IN_FLIGHT` | 2 | executions in flight during a latency run |
//! | `ATTUNE_BENCH_POLL_MS` | 2 | how often those are polled |
//! | `ATTUNE_BENCH_MODES` | `embedded,distributed` | deployments to measure |
//! | `ATTUNE_BENCH_LOG` | `warn` | `RUST_LOG` of the started processes |
//! | `ATTUNE_BENCH_BINARY` | the built `attune` | another build to measure (e.g. an earlier commit's) |
//!
//! **Throughput** ([`measure::throughput`]): the client tasks submit the executions through
//! `POST /api/v1/actions/{ref}/execute` as fast as the API accepts them; the clock runs from
//! the first request until the store holds all of them `completed` (counted every 20 ms).
//!
//! **Latency** ([`measure::latency`]): a fixed number of executions in flight, each
//! submitted as soon as the previous one of its slot ended, so that nothing queues and the
//! figure is the pipeline's own; the latency is from just before the request to the poll
//! that saw it ended (`completed`, checked). The detection delay is bounded and known (at
//! most one poll interval plus one read). The stored timestamps of each execution
//! (`created`, `started`, `finished`, all written with the host's clock, as is the
//! client's) split that time into stages, shown as medians.
//!
//! **Policies**: the WebAssembly action again, under a concurrency policy whose threshold
//! is never reached (the row `examples-wasm.echo + policy`: what admission costs against
//! the plain row), and a drain of 1,000 executions queued behind a full policy
//! ([`queue::drain`]: the rate of each half of the drain, and how far any started from its
//! turn).

#[path = "../common/mod.rs"]
mod common;
mod measure;
mod queue;

use common::drive::Ledger;
use common::report::Row;
use common::run::{Shape, run};
use common::settings::Settings;
use measure::Action;

/// Executions queued behind a full concurrency policy in the drain run.
const QUEUED: usize = 1000;

/// The two trivial actions measured, with the parameters each needs.
const ACTIONS: [Action; 2] = [
    Action { r#ref: "examples-wasm.echo", parameters: r#"{"message": "hello"}"# },
    Action { r#ref: "core.noop", parameters: "{}" },
];

fn main() {
    let settings = Settings::from_env("ATTUNE_BENCH_EXECUTIONS", "embedded,distributed");
    let shape = Shape {
        title: "execution pipeline",
        what: "executions",
        tag: "bench_pipeline",
        rate: "exec/s",
        stages: &measure::STAGES,
        legend: measure::LEGEND,
    };
    run(&settings, &shape, async |api, mode| {
        let mut ledger = Ledger::new("");
        let mut rows = Vec::new();
        for action in &ACTIONS {
            measure::latency(&api, action, settings.warm_up, settings.in_flight, settings.poll, &mut ledger).await;
            let latency = measure::latency(
                &api,
                action,
                settings.latency_samples,
                settings.in_flight,
                settings.poll,
                &mut ledger,
            )
            .await;
            let throughput = measure::throughput(&api, action, settings.count, settings.concurrency, &mut ledger).await;
            rows.push(Row { mode, subject: action.r#ref, throughput, latency });
        }
        // The same WebAssembly action under a concurrency policy that never holds one back:
        // what admission costs (one store transaction per execution).
        let policy = serde_json::json!({"ref": "examples-wasm.bench_admission", "action": ACTIONS[0].r#ref,
            "type": "concurrency", "threshold": 1000});
        api.post("/api/v1/policies", &policy, 201).await;
        let action = &ACTIONS[0];
        let latency =
            measure::latency(&api, action, settings.latency_samples, settings.in_flight, settings.poll, &mut ledger)
                .await;
        let throughput = measure::throughput(&api, action, settings.count, settings.concurrency, &mut ledger).await;
        rows.push(Row { mode, subject: "examples-wasm.echo + policy", throughput, latency });

        let drain = queue::drain(&api, QUEUED).await;
        println!(
            "  {mode}: {} queued core.sleep drained {:.1}/s (first half), {:.1}/s (second half); started within {} places of their turn",
            drain.queued, drain.first_half, drain.second_half, drain.worst_swap
        );
        ledger.check(&api, drain.executions).await;
        rows
    });
}
