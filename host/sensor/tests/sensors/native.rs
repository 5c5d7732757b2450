//! Native sensors: a shell script writing one JSON event per line, given its configuration
//! and start count on stdin; restarted with back-off when it exits, `failing` in between;
//! stopped, process group and all, when the sensor is disabled.

use std::path::Path;

use attune_domain::status::SensorStatus;
use attune_sensor::Notice;
use attune_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::support::{Harness, of_sensor};

backend_tests!(
    a_native_sensor_is_restarted_with_back_off_when_it_exits,
    disabling_a_native_sensor_stops_its_process,
    a_flooding_sensor_has_its_excess_dropped_and_reported,
);

/// Emits two events naming its start (read from the stdin document), then exits with 3.
const SHORT_LIVED: &str = r#"read -r input
start=$(printf '%s' "$input" | sed -n 's/.*"start":\([0-9]*\).*/\1/p')
echo "{\"payload\": {\"start\": $start, \"n\": 1, \"label\": \"$PARAM_LABEL\"}}"
echo "this line is not an event"
echo "{\"trigger\": \"beats.beat\", \"payload\": {\"start\": $start, \"n\": 2}}"
exit 3
"#;

/// Emits its process id, then one event every 100 ms for ever.
const LONG_LIVED: &str = r#"echo "{\"payload\": {\"pid\": $$}}"
while true; do
  sleep 0.1
  echo '{"payload": {"alive": true}}'
done
"#;

fn sensor_yaml(name: &str, script: &str, enabled: bool) -> String {
    format!(
        "ref: beats.{name}\nrunner_type: shell\nentry_point: {script}\ntrigger_types: [beats.beat]\n\
         parameters:\n  label: {{type: string}}\nconfig: {{label: steady}}\nenabled: {enabled}\n"
    )
}

const TRIGGER: &str = "ref: beats.beat\nparameters: {}\npayload_schema: {type: object}\n";

async fn a_native_sensor_is_restarted_with_back_off_when_it_exits(backend: Backend) {
    let mut harness = Harness::start(backend).await;
    let sensor = sensor_yaml("pulse", "pulse.sh", true);
    let files =
        [("sensors/pulse.yaml", sensor.as_str()), ("sensors/pulse.sh", SHORT_LIVED), ("triggers/beat.yaml", TRIGGER)];
    harness.register_pack("beats", &files).await;

    // Running, then failing with the exit and the delay, then running again.
    let mut seen = Vec::new();
    let restarted = |seen: &[(SensorStatus, String)]| {
        let failed = seen.iter().position(|(status, _)| *status == SensorStatus::Failing);
        failed.is_some_and(|at| seen[at..].iter().any(|(status, _)| *status == SensorStatus::Running))
    };
    while !restarted(&seen) {
        let status = harness
            .wait_for_notice(|notice| match notice {
                Notice::Status { sensor_ref, status, detail } if sensor_ref == "beats.pulse" => {
                    Some((*status, detail.clone().unwrap_or_default()))
                }
                _ => None,
            })
            .await;
        seen.push(status);
    }
    let failing: Vec<&String> = seen.iter().filter(|(s, _)| *s == SensorStatus::Failing).map(|(_, d)| d).collect();
    assert!(failing.iter().any(|d| d.as_str() == "exited with code 3; restarting in 0.2 s"), "statuses: {seen:#?}");
    let skipped = seen.iter().find(|(_, d)| d.contains("output line(s) skipped")).map(|(_, d)| d);
    assert!(skipped.is_some_and(|d| d.contains("'this line is not an event'")), "statuses: {seen:#?}");

    let events = harness.wait_for_events(&of_sensor("beats.pulse"), 4).await;
    let payloads: Vec<_> = events.iter().take(4).map(|e| e.payload.clone()).collect();
    assert_eq!(
        payloads,
        [
            json!({"start": 1, "n": 1, "label": "steady"}),
            json!({"start": 1, "n": 2}),
            json!({"start": 2, "n": 1, "label": "steady"}),
            json!({"start": 2, "n": 2}),
        ]
    );
    assert!(events.iter().all(|e| e.trigger_ref == "beats.beat"));
    assert_eq!(events[0].config, json!({"trigger_parameters": {"label": "steady"}}));
    harness.stop().await;
}

async fn disabling_a_native_sensor_stops_its_process(backend: Backend) {
    let harness = Harness::start(backend).await;
    let enabled = sensor_yaml("steady", "steady.sh", true);
    let files =
        [("sensors/steady.yaml", enabled.as_str()), ("sensors/steady.sh", LONG_LIVED), ("triggers/beat.yaml", TRIGGER)];
    harness.register_pack("beats", &files).await;

    harness.wait_for_events(&of_sensor("beats.steady"), 2).await;
    // The status names the host's pid of the sandbox the process runs in (the process sees
    // only its own PID namespace).
    let running = harness.wait_for_sensor("beats.steady", |s| s.status == SensorStatus::Running).await;
    let detail = running.status_detail.unwrap_or_default();
    let pid: i32 = detail.strip_prefix("pid ").and_then(|n| n.parse().ok()).expect("the status names the process");

    let disabled = sensor_yaml("steady", "steady.sh", false);
    let files = [
        ("sensors/steady.yaml", disabled.as_str()),
        ("sensors/steady.sh", LONG_LIVED),
        ("triggers/beat.yaml", TRIGGER),
    ];
    harness.register_pack("beats", &files).await;
    let stopped = harness.wait_for_sensor("beats.steady", |s| s.status == SensorStatus::Stopped).await;
    assert_eq!(stopped.status_detail.as_deref(), Some("disabled"));
    // The status is written once the process group has been stopped and reaped.
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "process {pid} outlived its sensor");
    harness.stop().await;
}

/// Writes 50,000 events at once, far faster than they can be recorded, then idles.
const FLOOD: &str = r#"yes '{"payload": {"flood": true}}' | head -n 50000
sleep 600
"#;

async fn a_flooding_sensor_has_its_excess_dropped_and_reported(backend: Backend) {
    let mut harness = Harness::start(backend).await;
    let sensor = sensor_yaml("flood", "flood.sh", true);
    let files = [("sensors/flood.yaml", sensor.as_str()), ("sensors/flood.sh", FLOOD), ("triggers/beat.yaml", TRIGGER)];
    harness.register_pack("beats", &files).await;

    let detail = harness
        .wait_for_notice(|notice| match notice {
            Notice::Status { sensor_ref, detail: Some(detail), .. }
                if sensor_ref == "beats.flood" && detail.contains("dropped") =>
            {
                Some(detail.clone())
            }
            _ => None,
        })
        .await;
    assert!(detail.contains("output line(s) dropped: the sensor writes faster"), "{detail}");
    // What was not dropped is recorded, and the sensor keeps running.
    harness.wait_for_events(&of_sensor("beats.flood"), 100).await;
    let running = harness.wait_for_sensor("beats.flood", |s| s.status == SensorStatus::Running).await;
    assert_eq!(running.status, SensorStatus::Running);
    harness.stop().await;
}
