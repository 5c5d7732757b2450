//! Timers and sensors through the real binary: `attune server` runs the sensor service in
//! process. A rule on `core.intervaltimer` runs its action at every firing while a rule on
//! the same timer whose criteria do not hold runs nothing; the shipped WASM ticker's
//! events run a rule's action, and the sensor's status shows in the API.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, attune, repo};

/// `attune server` on a fresh data directory, reading its sensors and rules every 200 ms.
async fn start(data: &Path, packs: Option<&Path>) -> (Server, String) {
    let mut command = attune(data);
    command.env("ATTUNE_ADMIN_PASSWORD", "sensors-e2e-password").env("ATTUNE__SENSOR__REFRESH_MS", "200");
    if let Some(packs) = packs {
        command.env("ATTUNE__PACKS_DIR", packs);
    }
    let server = Server::start(command);
    let token = server.login("admin", "sensors-e2e-password").await;
    (server, token)
}

async fn create_rule(server: &Server, token: &str, rule: Value) {
    let (status, created) = server.call("POST", "/api/v1/rules", Some(token), Some(rule)).await;
    assert_eq!(status, 201, "{created}");
}

/// Waits until `path` lists at least `count` items satisfying `done`; returns those.
async fn wait_for(server: &Server, token: &str, path: &str, count: usize, done: impl Fn(&Value) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, list) = server.call("GET", path, Some(token), None).await;
        let items: Vec<Value> =
            list["data"].as_array().into_iter().flatten().filter(|item| done(item)).cloned().collect();
        if items.len() >= count {
            return items;
        }
        assert!(Instant::now() < deadline, "{} of {count} wanted items at {path}: {list}", items.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ended(execution: &Value) -> bool {
    ["completed", "failed", "timeout"].contains(&execution["status"].as_str().unwrap_or_default())
}

#[tokio::test]
async fn an_interval_timer_rule_runs_its_action_at_each_firing_and_criteria_filter_them() {
    let data = tempfile::tempdir().unwrap();
    let (server, token) = start(data.path(), None).await;
    let every_second = json!({"unit": "seconds", "interval": 1});
    create_rule(
        &server,
        &token,
        json!({
            "ref": "core.every_second",
            "trigger": "core.intervaltimer",
            "trigger_parameters": every_second,
            "action": "core.echo",
            "parameters": {"message": "fired by event {{ event.id }}"},
        }),
    )
    .await;
    // The same timer, but its criteria never hold.
    create_rule(
        &server,
        &token,
        json!({
            "ref": "core.every_two_seconds",
            "trigger": "core.intervaltimer",
            "trigger_parameters": every_second,
            "criteria": {"trigger.schedule.interval": {"type": "equals", "pattern": 2}},
            "action": "core.echo",
            "parameters": {"message": "never"},
        }),
    )
    .await;

    let runs = wait_for(&server, &token, "/api/v1/executions?rule=core.every_second", 2, ended).await;
    for run in &runs {
        assert_eq!(run["status"], "completed", "{run}");
        assert_eq!(run["trigger_ref"], "core.intervaltimer");
    }
    // Every timer event was evaluated against both rules; only the first matched.
    let (_, events) = server.call("GET", "/api/v1/events?trigger=core.intervaltimer", Some(&token), None).await;
    let processed: Vec<&Value> =
        events["data"].as_array().unwrap().iter().filter(|e| !e["processed"].is_null()).collect();
    assert!(processed.len() >= 2, "{events}");
    assert_eq!(processed[0]["payload"]["schedule"], every_second);
    let (_, none) = server.call("GET", "/api/v1/executions?rule=core.every_two_seconds", Some(&token), None).await;
    assert_eq!(none["pagination"]["total"], 0, "{none}");
    let (_, none) = server.call("GET", "/api/v1/enforcements?rule=core.every_two_seconds", Some(&token), None).await;
    assert_eq!(none["pagination"]["total"], 0, "{none}");
    assert!(server.stop(), "the server stops cleanly with its timers running");
}

/// Copies the directory `from` to `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn the_wasm_ticker_sensors_events_run_a_rules_action() {
    // The shipped packs, with the ticker polled every second instead of every minute.
    let packs = tempfile::tempdir().unwrap();
    for pack in ["core", "examples-wasm"] {
        copy_dir(&repo().join("packs").join(pack), &packs.path().join(pack));
    }
    let ticker = packs.path().join("examples-wasm/sensors/ticker.yaml");
    let definition = std::fs::read_to_string(&ticker).unwrap().replace("poll_interval: 60", "poll_interval: 1");
    assert!(definition.contains("poll_interval: 1\n"), "{definition}");
    std::fs::write(&ticker, definition).unwrap();

    let data = tempfile::tempdir().unwrap();
    let (server, token) = start(data.path(), Some(packs.path())).await;
    create_rule(
        &server,
        &token,
        json!({
            "ref": "examples-wasm.echo_ticks",
            "trigger": "examples-wasm.tick",
            "criteria": {"trigger.poll": {"type": "greaterthan", "pattern": 0}},
            "action": "core.echo",
            "parameters": {"message": "poll {{ event.payload.poll }}"},
        }),
    )
    .await;

    let runs = wait_for(&server, &token, "/api/v1/executions?rule=examples-wasm.echo_ticks", 1, ended).await;
    assert_eq!(runs[0]["status"], "completed", "{}", runs[0]);
    let stdout = runs[0]["result"]["stdout"].as_str().unwrap_or_default();
    assert!(stdout.starts_with("poll ") && stdout.ends_with('\n'), "{}", runs[0]);
    let (_, events) = server.call("GET", "/api/v1/events?source=examples-wasm.ticker", Some(&token), None).await;
    assert!(events["pagination"]["total"].as_u64().unwrap() >= 1, "{events}");

    let (status, sensor) = server.call("GET", "/api/v1/sensors/examples-wasm.ticker", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(sensor["data"]["status"], "running", "{sensor}");
    assert!(!sensor["data"]["status_updated"].is_null(), "{sensor}");
    assert!(server.stop());
}
