//! Each limit stops a hostile guest with its own failure kind.

use std::sync::Arc;
use std::time::{Duration, Instant};

use attune_runtime_api::{FailureKind, Runtime, TerminalStatus};
use serde_json::json;

use crate::support::{Sandbox, StuckKv, guests, recorded_io, request};

/// Compiles the guest first, so that timings measure the execution alone.
async fn prepare(sandbox: &Sandbox, request: &attune_runtime_api::ExecutionRequest) {
    sandbox
        .runtime
        .prepare(&request.entry_point, attune_runtime_wasm::World::Action)
        .await
        .expect("the guest compiles");
}

#[tokio::test]
async fn an_infinite_loop_runs_out_of_fuel() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("loop", &guests::infinite_loop()), json!({}));
    request.limits.fuel = 5_000_000;
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    let failure = outcome.result.as_ref().expect_err("the loop never returns");
    assert_eq!(failure.kind, FailureKind::FuelExhausted, "{failure}");
    assert!(failure.message.contains("5000000"), "{failure}");
    let metering = outcome.metering.expect("metering");
    assert_eq!(metering.fuel_consumed, Some(5_000_000));
    assert_eq!(outcome.status(), TerminalStatus::Failed);
}

#[tokio::test]
async fn a_memory_bomb_hits_the_memory_limit() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("bomb", &guests::memory_bomb()), json!({}));
    request.limits.memory_bytes = 16 << 20;
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    let failure = outcome.result.expect_err("the bomb never returns");
    assert_eq!(failure.kind, FailureKind::MemoryLimit, "{failure}");
    assert!(failure.message.contains(&(16u64 << 20).to_string()), "{failure}");
    let peak = outcome.metering.expect("metering").peak_memory_bytes;
    assert!(peak <= 16 << 20 && peak > 8 << 20, "peak {peak}");
}

#[tokio::test]
async fn a_spinning_guest_with_fuel_to_spare_times_out() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("loop", &guests::infinite_loop()), json!({}));
    request.limits.fuel = u64::MAX / 2;
    request.limits.timeout = Duration::from_millis(300);
    let (io, _) = recorded_io();

    prepare(&sandbox, &request).await;
    let started = Instant::now();
    let outcome = sandbox.runtime.execute(request, io).await;
    let elapsed = started.elapsed();

    let failure = outcome.result.as_ref().expect_err("the loop never returns");
    assert_eq!(failure.kind, FailureKind::Timeout, "{failure}");
    assert_eq!(outcome.status(), TerminalStatus::Timeout);
    assert!(elapsed < Duration::from_millis(500), "took {elapsed:?}");
    assert!(outcome.metering.expect("metering").fuel_consumed.unwrap() > 0);
}

#[tokio::test]
async fn a_guest_blocked_in_a_host_call_times_out() {
    let sandbox = Sandbox::new();
    let kv = Arc::new(StuckKv::default());
    let mut request = request(&sandbox.guest("waiter", &guests::kv_waiter()), json!({}));
    request.limits.timeout = Duration::from_millis(300);
    request.kv = kv.clone();
    let (io, _) = recorded_io();

    prepare(&sandbox, &request).await;
    let started = Instant::now();
    let running = tokio::spawn({
        let runtime = sandbox.runtime.clone();
        async move { runtime.execute(request, io).await }
    });
    kv.read_started.notified().await;
    let outcome = running.await.expect("execution task");
    let elapsed = started.elapsed();

    let failure = outcome.result.expect_err("the datastore never answers");
    assert_eq!(failure.kind, FailureKind::Timeout, "{failure}");
    assert!(elapsed < Duration::from_millis(500), "took {elapsed:?}");
}

#[tokio::test]
async fn a_sleeping_guest_times_out() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("sleeper", &guests::sleeper()), json!({}));
    request.limits.timeout = Duration::from_millis(300);
    let (io, _) = recorded_io();

    prepare(&sandbox, &request).await;
    let started = Instant::now();
    let outcome = sandbox.runtime.execute(request, io).await;
    let elapsed = started.elapsed();

    let failure = outcome.result.expect_err("the guest sleeps for a minute");
    assert_eq!(failure.kind, FailureKind::Timeout, "{failure}");
    assert!(elapsed < Duration::from_millis(500), "took {elapsed:?}");
}

#[tokio::test]
async fn cancelling_stops_a_blocked_guest() {
    let sandbox = Sandbox::new();
    let kv = Arc::new(StuckKv::default());
    let mut request = request(&sandbox.guest("waiter", &guests::kv_waiter()), json!({}));
    request.kv = kv.clone();
    let (io, _) = recorded_io();
    let cancel = io.cancel.clone();

    let running = tokio::spawn({
        let runtime = sandbox.runtime.clone();
        async move { runtime.execute(request, io).await }
    });
    kv.read_started.notified().await;
    cancel.cancel();
    let outcome = running.await.expect("execution task");

    let failure = outcome.result.as_ref().expect_err("cancelled");
    assert_eq!(failure.kind, FailureKind::Cancelled, "{failure}");
    assert_eq!(outcome.status(), TerminalStatus::Cancelled);
}

#[tokio::test]
async fn cancelling_stops_a_spinning_guest() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("spinner", &guests::announced_loop()), json!({}));
    request.limits.fuel = u64::MAX / 2;
    let (io, recorder) = recorded_io();
    let cancel = io.cancel.clone();

    let running = tokio::spawn({
        let runtime = sandbox.runtime.clone();
        async move { runtime.execute(request, io).await }
    });
    recorder.line_emitted.notified().await;
    cancel.cancel();
    let outcome = running.await.expect("execution task");

    let failure = outcome.result.as_ref().expect_err("cancelled");
    assert_eq!(failure.kind, FailureKind::Cancelled, "{failure}");
    assert_eq!(outcome.log.text, "[info] spinning\n");
}

#[tokio::test]
async fn an_execution_cancelled_before_it_starts_does_not_run() {
    let sandbox = Sandbox::new();
    let request = request(&sandbox.guest("greeter", &guests::greeter()), json!({}));
    let (io, recorder) = recorded_io();
    io.cancel.cancel();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result.expect_err("cancelled").kind, FailureKind::Cancelled);
    assert!(recorder.lines().is_empty(), "the guest did not run");
}
