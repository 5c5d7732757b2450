//! Policies and inquiries through real processes.
//!
//! - Distributed (PostgreSQL + RabbitMQ): two `attune executor`s and two workers run 200
//!   executions under a concurrency policy of 3. No more than 3 ever run at once, they
//!   start in the order they queued, and a `kill -9` of one executor in the middle loses
//!   no queued execution and runs none twice (each printed its one line once).
//! - Embedded: a `core.ask` execution waits `pending` through a `kill -9` and restart; its
//!   answer then completes it, and another's timeout fires after the restart.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use attune_test_support::TestDatabase;
use serde_json::{Value, json};

use crate::distributed::{role, submit, wait_all};
use crate::support::{Server, attune};

const PASSWORD: &str = "distributed-password";
const EXECUTIONS: usize = 200;
const THRESHOLD: usize = 3;

#[tokio::test]
async fn two_executors_keep_a_concurrency_limit_and_its_order_through_a_kill() {
    let database = TestDatabase::create("e2e_policies").await;
    let scratch = tempfile::tempdir().unwrap();
    let prefix = format!("e2e-policies-{}.", std::process::id());
    let dir = |name: &str| scratch.path().join(name);
    let migrate = role(&database, &prefix, &dir("migrate")).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let api = Server::start_role(role(&database, &prefix, &dir("api")), "api", "Attune is listening on ");
    let executor_a =
        Server::start_role(role(&database, &prefix, &dir("executor-a")), "executor", "Attune executor is running");
    let _executor_b =
        Server::start_role(role(&database, &prefix, &dir("executor-b")), "executor", "Attune executor is running");
    let mut workers = Vec::new();
    for name in ["worker-a", "worker-b"] {
        let mut command = role(&database, &prefix, &dir(name));
        command.env("ATTUNE__WORKER__NAME", name).env("ATTUNE__WORKER__CONCURRENCY", "4");
        workers.push(Server::start_role(command, "worker", "Attune worker "));
    }
    let token = api.login("admin", PASSWORD).await;
    let policy =
        json!({"ref": "core.three_echoes", "action": "core.echo", "type": "concurrency", "threshold": THRESHOLD});
    let (status, created) = api.call("POST", "/api/v1/policies", Some(&token), Some(policy)).await;
    assert_eq!(status, 201, "{created}");

    let mut ids = Vec::new();
    for n in 0..EXECUTIONS {
        ids.push(submit(&api, &token, "core.echo", json!({"message": format!("run {n}")})).await);
    }
    let (_, queue) = api.call("GET", "/api/v1/actions/core.echo/queue", Some(&token), None).await;
    let queued: Vec<i64> =
        queue["data"]["waiting"].as_array().unwrap().iter().map(|w| w["execution"].as_i64().unwrap()).collect();
    assert!(queued.len() > EXECUTIONS / 4, "most wait their turn: {queue}");
    assert!(queue["data"]["running"].as_i64().unwrap() <= THRESHOLD as i64, "{queue}");

    // One executor dies in the middle of the run.
    wait_completed(&api, &token, EXECUTIONS / 3).await;
    executor_a.kill();

    let results = wait_all(&api, &token, &ids, Duration::from_secs(300)).await;
    for id in &ids {
        let execution = &results[id];
        assert_eq!(
            (execution["status"].as_str(), execution["attempt"].as_i64()),
            (Some("completed"), Some(1)),
            "{execution}"
        );
        // Ran once: a second run would have printed its line again.
        let (_, output) = api.call("GET", &format!("/api/v1/executions/{id}/output"), Some(&token), None).await;
        assert_eq!(output["data"]["lines"].as_array().map(Vec::len), Some(1), "execution {id}: {output}");
    }
    assert!(most_at_once(&results) <= THRESHOLD, "never more than {THRESHOLD} at once: {}", most_at_once(&results));
    // FIFO: the executions started in the order they queued. Executions admitted together
    // (a slot freed while another was being placed) may start in either order, never further
    // apart than the limit. The killed executor may have died holding admitted executions it
    // had not placed yet (at most one per slot): they keep their slots and start once
    // reconciliation finds them, later than their turn.
    let started = |id: &i64| at(&results[id]["started"]);
    let mut by_start = queued.clone();
    by_start.sort_by_key(started);
    let turn = |order: &[i64], id: &i64| order.iter().position(|q| q == id).unwrap();
    let late: Vec<i64> =
        by_start.iter().filter(|id| turn(&by_start, id) >= turn(&queued, id) + THRESHOLD).copied().collect();
    assert!(late.len() <= THRESHOLD, "more started late than the dead executor could hold: {late:?}");
    let on_time: Vec<i64> = queued.iter().filter(|id| !late.contains(id)).copied().collect();
    let on_time_by_start: Vec<i64> = by_start.iter().filter(|id| !late.contains(id)).copied().collect();
    for (place, id) in on_time_by_start.iter().enumerate() {
        let queued_at = turn(&on_time, id);
        assert!(queued_at.abs_diff(place) < THRESHOLD, "{id} queued {queued_at}th, started {place}th");
    }
}

/// The most executions whose [started, finished] spans overlap at one moment.
fn most_at_once(results: &HashMap<i64, Value>) -> usize {
    let mut moments: Vec<(chrono::DateTime<chrono::FixedOffset>, i32)> = Vec::new();
    for execution in results.values() {
        moments.push((at(&execution["started"]), 1));
        moments.push((at(&execution["finished"]), -1));
    }
    // An end before a start at the same instant.
    moments.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, change) in moments {
        now += change;
        most = most.max(now);
    }
    most as usize
}

/// A timestamp of an API answer.
fn at(value: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap()
}

async fn wait_completed(api: &Server, token: &str, at_least: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, page) = api.call("GET", "/api/v1/executions?status=completed&page_size=1", Some(token), None).await;
        if page["pagination"]["total"].as_u64().unwrap_or_default() as usize >= at_least {
            return;
        }
        assert!(Instant::now() < deadline, "fewer than {at_least} completed: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_inquiry_waits_through_a_restart_and_its_answer_or_timeout_ends_it() {
    let data = tempfile::tempdir().unwrap();
    let start = || {
        let mut command = attune(data.path());
        command.env("ATTUNE_ADMIN_PASSWORD", "inquiry-password").env("ATTUNE__EXECUTOR__RECONCILE_EVERY_S", "1");
        Server::start(command)
    };
    let server = start();
    let token = server.login("admin", "inquiry-password").await;
    let ask = |timeout_s: i64| {
        json!({"parameters": {"prompt": "Ship it?", "timeout_s": timeout_s,
            "schema": {"type": "object", "properties": {"ship": {"type": "boolean"}}, "required": ["ship"]}}})
    };
    let (status, answered) =
        server.call("POST", "/api/v1/actions/core.ask/execute", Some(&token), Some(ask(600))).await;
    assert_eq!(status, 201, "{answered}");
    let answered = answered["data"]["id"].as_i64().unwrap();
    let (_, unanswered) = server.call("POST", "/api/v1/actions/core.ask/execute", Some(&token), Some(ask(3))).await;
    let unanswered = unanswered["data"]["id"].as_i64().unwrap();
    wait_status(&server, &token, answered, "pending").await;
    server.kill();

    let server = start();
    let token = server.login("admin", "inquiry-password").await;
    let (_, inquiries) = server.call("GET", "/api/v1/inquiries?status=pending", Some(&token), None).await;
    let inquiry = inquiries["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["execution"] == answered)
        .unwrap_or_else(|| panic!("the inquiry survived the restart: {inquiries}"))["id"]
        .as_i64()
        .unwrap();
    let respond = format!("/api/v1/inquiries/{inquiry}/respond");
    let (status, body) = server.call("POST", &respond, Some(&token), Some(json!({"response": {"ship": true}}))).await;
    assert_eq!(status, 200, "{body}");
    let done = wait_status(&server, &token, answered, "completed").await;
    assert_eq!(done["result"], json!({"ship": true}));
    wait_status(&server, &token, unanswered, "timeout").await;
}

async fn wait_status(server: &Server, token: &str, id: i64, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = server.call("GET", &format!("/api/v1/executions/{id}"), Some(token), None).await;
        if body["data"]["status"] == status {
            return body["data"].clone();
        }
        assert!(Instant::now() < deadline, "execution {id} never reached {status}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
