//! Workflow figures, through the real `attune` binary in both deployments (as the pipeline
//! benchmark starts them): how fast a workflow steps, and how with-items scales.
//!
//! - **Sequential steps**: `examples-wasm.each_host` over 100 hosts with `concurrency: 1`,
//!   so each step waits for the one before: one child execution of the trivial WebAssembly
//!   action per step, its end taken in and the next started by the engine. The figure is
//!   steps per second, end to end (request to the workflow's `completed`).
//! - **With-items at scale**: the same workflow over 1,000 and 10,000 items, 100 in flight:
//!   wall time, items per second, the ratio of the two times (linear is 10), and the
//!   deployment's resident memory before and at its peak during the run (sampled every
//!   50 ms from `/proc`).
//!
//! Run with `cargo bench -p attune --bench workflow` (release build). `ATTUNE_BENCH_MODES`
//! (`embedded,distributed`) and `ATTUNE_BENCH_LOG` as for the pipeline benchmark.

#[allow(dead_code, reason = "this benchmark uses the deployments and the client, not the load drivers")]
#[path = "../common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::client::Api;
use common::deployment::{self, Deployment, Mode};
use common::stats::load_average;
use serde_json::json;

/// A run of `examples-wasm.each_host` over `items` hosts, `concurrency` at once.
struct Run {
    items: usize,
    elapsed: Duration,
    resident_before: f64,
    resident_peak: f64,
}

async fn each_host(api: &Api, deployment: &Deployment, items: usize, concurrency: usize) -> Run {
    let resident = || deployment.resident_mib().iter().map(|(_, mib)| mib).sum::<f64>();
    let hosts: Vec<String> = (0..items).map(|n| format!("host-{n}")).collect();
    let resident_before = resident();
    let started = Instant::now();
    let body = json!({"parameters": {"hosts": hosts, "concurrency": concurrency}});
    let created = api.post("/api/v1/actions/examples-wasm.each_host/execute", &body, 201).await;
    let id = created["data"]["id"].as_i64().expect("an execution id");
    let mut resident_peak = resident_before;
    loop {
        let execution = api.get(&format!("/api/v1/executions/{id}")).await;
        resident_peak = resident_peak.max(resident());
        match execution["data"]["status"].as_str() {
            Some("completed") => break,
            Some("failed" | "timeout" | "cancelled" | "abandoned") => {
                panic!("the workflow did not complete: {execution}")
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    let elapsed = started.elapsed();
    let result = api.get(&format!("/api/v1/executions/{id}")).await;
    let checked = result["data"]["result"]["checked"].as_array().map_or(0, Vec::len);
    assert_eq!(checked, items, "every item's result, in order");
    assert_eq!(result["data"]["result"]["checked"][items - 1], format!("checked host-{}", items - 1));
    Run { items, elapsed, resident_before, resident_peak }
}

fn main() {
    let modes = std::env::var("ATTUNE_BENCH_MODES").unwrap_or_else(|_| "embedded,distributed".into());
    let log = std::env::var("ATTUNE_BENCH_LOG").unwrap_or_else(|_| "warn".into());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        println!("workflow: sequential steps and with-items at scale");
        println!("load average before: {}", load_average());
        for mode in modes.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            let mode = match mode {
                "embedded" => Mode::Embedded,
                "distributed" => Mode::Distributed,
                other => panic!("unknown mode '{other}' in ATTUNE_BENCH_MODES"),
            };
            let deployment = Deployment::start(mode, "bench_workflow", &log).await;
            println!("{mode}: {}", deployment.description);
            let api = Api::login(&deployment.url, deployment::ADMIN_PASSWORD).await;
            each_host(&api, &deployment, 20, 4).await; // warm-up

            let sequential = each_host(&api, &deployment, 100, 1).await;
            println!(
                "  {mode}: 100 sequential steps in {:.2} s: {:.1} steps/s ({:.1} ms per step)",
                sequential.elapsed.as_secs_f64(),
                100.0 / sequential.elapsed.as_secs_f64(),
                sequential.elapsed.as_secs_f64() * 1000.0 / 100.0
            );
            let mut times = Vec::new();
            for items in [1_000, 10_000] {
                let run = each_host(&api, &deployment, items, 100).await;
                println!(
                    "  {mode}: with-items over {} items (100 in flight): {:.1} s, {:.0} items/s; resident {:.0} MiB before, {:.0} MiB at the peak",
                    run.items,
                    run.elapsed.as_secs_f64(),
                    run.items as f64 / run.elapsed.as_secs_f64(),
                    run.resident_before,
                    run.resident_peak
                );
                times.push(run.elapsed.as_secs_f64());
            }
            println!("  {mode}: t(10k) / t(1k) = {:.1} (linear: 10)", times[1] / times[0]);
        }
        println!("load average after: {}", load_average());
    });
}
