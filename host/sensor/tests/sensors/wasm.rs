//! WASM sensors: the shipped ticker component (compiled from its WAT source) polled on its
//! `poll_interval`, its events stored with the sensor as their source; a guest that traps
//! shows `failing` with the poll's failure.

use attune_domain::status::SensorStatus;
use attune_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::support::{Harness, of_sensor, shipped_packs};

backend_tests!(a_wasm_sensors_polls_become_events, a_wasm_sensor_that_traps_is_failing);

/// The shipped `examples-wasm` ticker, polled every second instead of every minute.
async fn register_ticker(harness: &Harness) {
    let shipped = shipped_packs().join("examples-wasm");
    let read = |path: &str| std::fs::read_to_string(shipped.join(path)).unwrap();
    let sensor = read("sensors/ticker.yaml").replace("poll_interval: 60", "poll_interval: 1");
    assert!(sensor.contains("poll_interval: 1\n"), "the shipped ticker's poll_interval moved: {sensor}");
    let (wat, trigger) = (read("sensors/ticker.wat"), read("triggers/tick.yaml"));
    let files =
        [("sensors/ticker.yaml", sensor.as_str()), ("sensors/ticker.wat", &wat), ("triggers/tick.yaml", &trigger)];
    harness.register_pack("examples-wasm", &files).await;
}

async fn a_wasm_sensors_polls_become_events(backend: Backend) {
    let harness = Harness::start(backend).await;
    register_ticker(&harness).await;

    let events = harness.wait_for_events(&of_sensor("examples-wasm.ticker"), 2).await;
    assert_eq!(events[0].trigger_ref, "examples-wasm.tick");
    assert_eq!((&events[0].payload, &events[1].payload), (&json!({"poll": 1}), &json!({"poll": 2})));
    assert_eq!(events[0].config, json!({"trigger_parameters": {}}));
    let sensor = harness.store.store.get_sensor("examples-wasm.ticker").await.unwrap();
    assert_eq!((sensor.status, sensor.status_detail), (SensorStatus::Running, None));
    let store = harness.stop().await;
    let stopped = store.store.get_sensor("examples-wasm.ticker").await.unwrap();
    assert_eq!(stopped.status, SensorStatus::Stopped, "a stopped service leaves its sensors stopped");
    assert_eq!(stopped.status_detail.as_deref(), Some("the sensor service stopped"));
}

/// A sensor of the `sensor` world whose `poll` traps.
const TRAPPING_SENSOR: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "poll") (param i32 i32 i32 i32) (param i64) (param i32 i32) (result i32)
    unreachable)
)
"#;

async fn a_wasm_sensor_that_traps_is_failing(backend: Backend) {
    let harness = Harness::start(backend).await;
    let sensor = "ref: broken.trap\nrunner_type: wasm\nentry_point: trap.wat\n\
                  trigger_types: [broken.tick]\npoll_interval: 1\n";
    let trigger = "ref: broken.tick\nparameters: {}\npayload_schema: {type: object}\n";
    let files = [("sensors/trap.yaml", sensor), ("sensors/trap.wat", TRAPPING_SENSOR), ("triggers/tick.yaml", trigger)];
    harness.register_pack("broken", &files).await;

    let failing = harness.wait_for_sensor("broken.trap", |s| s.status == SensorStatus::Failing).await;
    let detail = failing.status_detail.unwrap_or_default();
    assert!(detail.starts_with("poll 1 failed: ") && detail.ends_with("next poll in 1 s"), "{detail}");
    assert!(harness.events(&of_sensor("broken.trap")).await.is_empty());
    harness.stop().await;
}
