//! Sensors are polled on their schedule and their events reported.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use attune_runtime_api::{FailureKind, KvStore, MemoryKv};
use attune_runtime_wasm::{SensorEvent, SensorSpec};
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::{Sandbox, guests, recorded_io, test_limits};

fn spec(entry_point: std::path::PathBuf, kv: Arc<MemoryKv>) -> SensorSpec {
    SensorSpec {
        sensor_ref: "tests.ticker".into(),
        pack_ref: "tests".into(),
        entry_point,
        trigger_types: vec!["tests.tick".into()],
        config: json!({}),
        pack_config: json!({}),
        secrets: BTreeMap::new(),
        allowed_hosts: Vec::new(),
        limits: test_limits(),
        kv,
        poll_interval: Duration::from_millis(20),
    }
}

#[tokio::test]
async fn a_sensor_is_polled_on_schedule_and_keeps_state_in_kv() {
    let sandbox = Sandbox::new();
    let kv = Arc::new(MemoryKv::new());
    let sensor = spec(sandbox.guest("ticker", &guests::ticker()), kv.clone());
    let (io, _) = recorded_io();
    let (reports, mut received) = mpsc::channel(8);

    let schedule = sandbox.runtime.spawn_sensor(sensor, io.clone(), reports);
    for poll in 1..=3u64 {
        let report = received.recv().await.expect("a report per poll");
        assert_eq!(report.poll_count, poll);
        assert_eq!(
            report.result,
            Ok(vec![SensorEvent { trigger_ref: "tests.tick".into(), payload: json!({"poll": poll}) }])
        );
        assert!(report.metering.fuel_consumed.unwrap() > 0);
    }
    io.cancel.cancel();
    schedule.await.expect("the schedule stops when cancelled");
    let last = kv.get("last_poll").await.unwrap().expect("state kept in kv");
    assert!(last.parse::<u64>().unwrap() >= 3, "{last}");
}

#[tokio::test]
async fn failed_polls_are_reported_and_polling_goes_on() {
    let sandbox = Sandbox::new();
    let sensor = spec(sandbox.guest("failing", &guests::failing_sensor()), Arc::new(MemoryKv::new()));
    let (io, _) = recorded_io();
    let (reports, mut received) = mpsc::channel(8);

    let schedule = sandbox.runtime.spawn_sensor(sensor, io, reports);
    for poll in 1..=2u64 {
        let report = received.recv().await.expect("a report per poll");
        assert_eq!(report.poll_count, poll);
        let failure = report.result.expect_err("the poll fails");
        assert_eq!(failure.kind, FailureKind::ActionError);
        assert_eq!(failure.message, "upstream unavailable");
    }
    drop(received);
    schedule.await.expect("the schedule stops when nobody listens");
}

#[tokio::test]
async fn events_of_undeclared_triggers_are_invalid_output() {
    let sandbox = Sandbox::new();
    let mut sensor = spec(sandbox.guest("ticker", &guests::ticker()), Arc::new(MemoryKv::new()));
    sensor.trigger_types = vec!["tests.other".into()];
    let (io, _) = recorded_io();

    let report = sandbox.runtime.poll_sensor(&sensor, 1, &io).await;

    let failure = report.result.expect_err("undeclared trigger");
    assert_eq!(failure.kind, FailureKind::InvalidOutput);
    assert!(failure.message.contains("tests.tick"), "{failure}");
}
