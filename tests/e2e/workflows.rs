//! Workflows through real processes.
//!
//! - Embedded: the example workflows run out of the box (fan-out and join, items in order,
//!   an approval answered through the API); a run is shown with its graph; pause holds
//!   new tasks back until resume; cancel reaches the children; a re-run from a task keeps
//!   what the original published.
//! - Embedded, `kill -9` at several points of a workflow with branches and items: after
//!   each restart it resumes, and in the end every task ran exactly once.
//! - Distributed (PostgreSQL + RabbitMQ, two executors, two workers): many workflows side
//!   by side, each completed with its results.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use attune_test_support::{TestDatabase, write_pack};
use serde_json::{Value, json};

use crate::distributed::{role, submit, wait_all};
use crate::support::{Server, attune, own_packs_dir, share_with_actions};

const PASSWORD: &str = "workflow-test-password";

fn embedded(data: &std::path::Path) -> std::process::Command {
    let mut command = attune(data);
    command.env("ATTUNE_ADMIN_PASSWORD", PASSWORD);
    command
}

/// Polls execution `id` until `done` says so of it; returns it.
async fn wait_for(server: &Server, token: &str, id: i64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = server.call("GET", &format!("/api/v1/executions/{id}"), Some(token), None).await;
        if done(&body["data"]) {
            return body["data"].clone();
        }
        assert!(Instant::now() < deadline, "execution {id} never {what}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ended(server: &Server, token: &str, id: i64) -> Value {
    wait_for(server, token, id, "ended", |e| e["finished"].is_string()).await
}

async fn run_of(server: &Server, token: &str, id: i64) -> Value {
    let (status, body) = server.call("GET", &format!("/api/v1/executions/{id}/workflow"), Some(token), None).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

fn task<'a>(run: &'a Value, name: &str) -> &'a Value {
    run["tasks"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("{name}: {run}"))
}

/// The open inquiry of workflow `id`'s approval task.
async fn inquiry_of(server: &Server, token: &str, id: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Not started yet (409) until the executor has taken it.
        let (_, run) = server.call("GET", &format!("/api/v1/executions/{id}/workflow"), Some(token), None).await;
        let run = run["data"].clone();
        let child = run["tasks"].as_array().and_then(|_| task(&run, "approve")["runs"][0]["execution"].as_i64());
        if let Some(child) = child {
            let (_, inquiries) = server.call("GET", "/api/v1/inquiries?status=pending", Some(token), None).await;
            let found = inquiries["data"].as_array().unwrap().iter().find(|i| i["execution"] == child).cloned();
            if let Some(inquiry) = found {
                return inquiry["id"].as_i64().unwrap();
            }
        }
        assert!(Instant::now() < deadline, "no inquiry for workflow {id}: {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_example_workflows_run_out_of_the_box_and_answer_to_operations() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(embedded(data.path()));
    let token = server.login("admin", PASSWORD).await;

    // Fan out and join.
    let id = submit(&server, &token, "examples-wasm.fan_out", json!({"message": "hi"})).await;
    let done = ended(&server, &token, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"], json!({"summary": "HI / hi again"}));
    let run = run_of(&server, &token, id).await;
    assert_eq!(task(&run, "both")["state"], "succeeded");
    assert_eq!(task(&run, "both")["join"], "all");
    assert_eq!(task(&run, "first")["next"][0]["to"], json!(["shout", "repeat"]));
    let (_, children) = server.call("GET", &format!("/api/v1/executions/{id}/children"), Some(&token), None).await;
    assert_eq!(children["pagination"]["total"], 4, "one child per task: {children}");
    for child in children["data"].as_array().unwrap() {
        assert_eq!(child["parent"], id);
    }

    // Items, results in order.
    let hosts: Vec<String> = (0..7).map(|n| format!("host-{n}")).collect();
    let id = submit(&server, &token, "examples-wasm.each_host", json!({"hosts": hosts, "concurrency": 3})).await;
    let done = ended(&server, &token, id).await;
    let checked: Vec<String> = hosts.iter().map(|h| format!("checked {h}")).collect();
    assert_eq!(done["result"], json!({"checked": checked}), "{done}");
    let run = run_of(&server, &token, id).await;
    assert_eq!(task(&run, "check")["items"]["total"], 7);
    assert_eq!(task(&run, "check")["runs"].as_array().unwrap().len(), 7);

    // An approval, with the workflow paused while it waits: the answer ends the approval
    // task, but the release waits for the resume.
    let id = submit(&server, &token, "examples-wasm.approve_release", json!({"version": "2.0"})).await;
    let inquiry = inquiry_of(&server, &token, id).await;
    let (status, paused) = server
        .call("POST", &format!("/api/v1/executions/{id}/pause"), Some(&token), Some(json!({"reason": "freeze"})))
        .await;
    assert_eq!((status, &paused["data"]["paused"]), (200, &json!(true)), "{paused}");
    let answer = json!({"response": {"approved": true, "note": "ship it"}});
    let (status, body) =
        server.call("POST", &format!("/api/v1/inquiries/{inquiry}/respond"), Some(&token), Some(answer)).await;
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = run_of(&server, &token, id).await;
        if task(&run, "approve")["state"] == "succeeded" {
            assert_eq!(task(&run, "release")["state"], "ready", "nothing starts while paused: {run}");
            break;
        }
        assert!(Instant::now() < deadline, "the answer was not taken in: {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(task(&run_of(&server, &token, id).await, "release")["state"], "ready");
    let (status, _) = server.call("POST", &format!("/api/v1/executions/{id}/resume"), Some(&token), None).await;
    assert_eq!(status, 200);
    let done = ended(&server, &token, id).await;
    assert_eq!(done["result"], json!({"released": "released 2.0", "note": "ship it"}), "{done}");

    // A re-run from the release keeps the note the original published and runs only it.
    let (status, rerun) = server
        .call("POST", &format!("/api/v1/executions/{id}/rerun"), Some(&token), Some(json!({"task": "release"})))
        .await;
    assert_eq!(status, 201, "{rerun}");
    let again = rerun["data"]["id"].as_i64().unwrap();
    let done = ended(&server, &token, again).await;
    assert_eq!(done["result"], json!({"released": "released 2.0", "note": "ship it"}), "{done}");
    let (_, children) = server.call("GET", &format!("/api/v1/executions/{again}/children"), Some(&token), None).await;
    assert_eq!(children["pagination"]["total"], 1, "only the release ran again: {children}");
    let (status, refused) = server
        .call("POST", &format!("/api/v1/executions/{id}/rerun"), Some(&token), Some(json!({"task": "nope"})))
        .await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("validation_failed")), "{refused}");

    // Cancelling a workflow that waits for an answer withdraws the question.
    let id = submit(&server, &token, "examples-wasm.approve_release", json!({})).await;
    let inquiry = inquiry_of(&server, &token, id).await;
    let (status, _) = server.call("POST", &format!("/api/v1/executions/{id}/cancel"), Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(ended(&server, &token, id).await["status"], "cancelled");
    let (_, closed) = server.call("GET", &format!("/api/v1/inquiries/{inquiry}"), Some(&token), None).await;
    assert_ne!(closed["data"]["status"], "pending", "{closed}");
    let (_, children) = server.call("GET", &format!("/api/v1/executions/{id}/children"), Some(&token), None).await;
    for child in children["data"].as_array().unwrap() {
        assert!(["completed", "cancelled"].contains(&child["status"].as_str().unwrap()), "{child}");
    }

    // Definitions with their graph.
    let (_, workflows) = server.call("GET", "/api/v1/workflows?pack=examples-wasm", Some(&token), None).await;
    assert_eq!(workflows["pagination"]["total"], 3, "{workflows}");
    let (status, shown) = server.call("GET", "/api/v1/workflows/examples-wasm.each_host", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["data"]["tasks"][0]["with_items"], true);
}

/// Branches, a join and items, each run recording itself in a ledger and taking a moment.
const CRASHY_FLOW: &str = r#"
ref: crashy.flow
parameters:
  ledger: {type: string, required: true}
  items: {type: array, required: true}
tasks:
  start:
    action: crashy.append
    input: {ledger: "{{ input.ledger }}", what: start}
    next: [{when: "{{ succeeded() }}", do: [left, right]}]
  left:
    action: crashy.append
    input: {ledger: "{{ input.ledger }}", what: left}
    next: [{do: each}]
  right:
    action: crashy.append
    input: {ledger: "{{ input.ledger }}", what: right}
    next: [{do: each}]
  each:
    join: all
    action: crashy.append
    with: {items: "{{ input.items }}", concurrency: 3}
    input: {ledger: "{{ input.ledger }}", what: "item {{ item() }}"}
    next: [{publish: {done: "{{ result() | length }}"}}]
output:
  done: "{{ vars.done }}"
"#;

#[tokio::test]
async fn kill_dash_nine_at_several_points_of_a_workflow_resumes_it_and_runs_no_task_twice() {
    let data = tempfile::tempdir().unwrap();
    let shared = data.path().join("shared");
    let ledger = shared.join("ledger.txt");
    let packs = data.path().join("packs");
    let action = "runner_type: shell\nentry_point: append.sh\nidempotent: true\nparameters:\n  ledger: {type: string, required: true}\n  what: {type: string, required: true}\n";
    // Takes a moment, then records that it ran to its end.
    let script = "sleep 0.2\necho \"$PARAM_WHAT\" >> \"$PARAM_LEDGER\"\necho '{}'\n";
    let pack = write_pack(
        &packs,
        "crashy",
        &[("actions/append.yaml", action), ("actions/append.sh", script), ("workflows/flow.yaml", CRASHY_FLOW)],
    );

    let start = |first: bool| {
        let mut command = embedded(data.path());
        share_with_actions(&mut command, &shared);
        if first {
            own_packs_dir(&mut command, &packs);
        } else {
            command.env("ATTUNE__PACKS_DIR", &packs);
        }
        Server::start(command)
    };
    let mut server = start(true);
    let mut token = server.login("admin", PASSWORD).await;
    let (status, body) = server.call("POST", "/api/v1/packs/register", Some(&token), Some(json!({"path": pack}))).await;
    assert_eq!(status, 200, "{body}");
    let items: Vec<i64> = (0..9).collect();
    let id = submit(&server, &token, "crashy.flow", json!({"ledger": ledger, "items": items})).await;

    // Crash as the branches run, as the items start, and in the middle of the items.
    for runs_before_crash in [2, 4, 8] {
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::fs::read_to_string(&ledger).unwrap_or_default().lines().count() < runs_before_crash {
            assert!(Instant::now() < deadline, "the workflow stopped moving");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill();
        server = start(false);
        token = server.login("admin", PASSWORD).await;
    }
    let done = ended(&server, &token, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"], json!({"done": 9}));

    // The engine made one child per task run, whatever the crashes. A child that a crash
    // interrupted ran again as its next attempt (the action is idempotent) — the same
    // child; none ran to its end more often than it was attempted.
    let ledger = std::fs::read_to_string(&ledger).unwrap();
    let mut runs: HashMap<String, i64> = HashMap::new();
    for line in ledger.lines() {
        *runs.entry(line.to_owned()).or_default() += 1;
    }
    let (_, children) = server.call("GET", &format!("/api/v1/executions/{id}/children"), Some(&token), None).await;
    assert_eq!(children["pagination"]["total"], 12, "one child per task run: {children}");
    let mut whats = Vec::new();
    for child in children["data"].as_array().unwrap() {
        let what = child["parameters"]["what"].as_str().unwrap().to_owned();
        assert_eq!(child["status"], "completed", "{child}");
        let ran = runs.get(&what).copied().unwrap_or_default();
        assert!(ran >= 1 && ran <= child["attempt"].as_i64().unwrap(), "{what} ran {ran} times: {child}");
        whats.push(what);
    }
    whats.sort();
    whats.dedup();
    assert_eq!(whats.len(), 12, "every task run has its own child: {whats:?}");
}

#[tokio::test]
async fn workflows_run_side_by_side_on_two_executors_and_two_workers() {
    let database = TestDatabase::create("e2e_workflows").await;
    let scratch = tempfile::tempdir().unwrap();
    let prefix = format!("e2e-workflows-{}.", std::process::id());
    let dir = |name: &str| scratch.path().join(name);
    let migrate = role(&database, &prefix, &dir("migrate")).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let api = Server::start_role(role(&database, &prefix, &dir("api")), "api", "Attune is listening on ");
    let mut others = Vec::new();
    for name in ["executor-a", "executor-b"] {
        others.push(Server::start_role(role(&database, &prefix, &dir(name)), "executor", "Attune executor is running"));
    }
    for name in ["worker-a", "worker-b"] {
        let mut command = role(&database, &prefix, &dir(name));
        command.env("ATTUNE__WORKER__NAME", name);
        others.push(Server::start_role(command, "worker", "Attune worker "));
    }
    let token = api.login("admin", crate::distributed::PASSWORD).await;
    let mut fan_outs = Vec::new();
    let mut iterations = Vec::new();
    for n in 0..10 {
        fan_outs.push(submit(&api, &token, "examples-wasm.fan_out", json!({"message": format!("m{n}")})).await);
        let hosts: Vec<String> = (0..6).map(|h| format!("{n}-{h}")).collect();
        iterations
            .push(submit(&api, &token, "examples-wasm.each_host", json!({"hosts": hosts, "concurrency": 2})).await);
    }
    let all: Vec<i64> = fan_outs.iter().chain(&iterations).copied().collect();
    let ended = wait_all(&api, &token, &all, Duration::from_secs(180)).await;
    for (n, id) in fan_outs.iter().enumerate() {
        assert_eq!(ended[id]["result"], json!({"summary": format!("M{n} / m{n} again")}), "{}", ended[id]);
    }
    for (n, id) in iterations.iter().enumerate() {
        let checked: Vec<String> = (0..6).map(|h| format!("checked {n}-{h}")).collect();
        assert_eq!(ended[id]["result"], json!({"checked": checked}), "{}", ended[id]);
        let (_, children) = api.call("GET", &format!("/api/v1/executions/{id}/children"), Some(&token), None).await;
        assert_eq!(children["pagination"]["total"], 6, "each item ran once: {children}");
    }
}
