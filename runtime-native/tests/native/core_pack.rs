//! The core pack's actions (packs/core/actions), run through the runtimes.

use std::time::Duration;

use attune_runtime_api::{FailureKind, Outcome, TerminalStatus};
use serde_json::{Value, json};

use crate::http_server;
use crate::shipped::{ShippedAction, shipped_pack};
use crate::support::{Fixture, completed, run};

async fn run_core(fixture: &Fixture, name: &str, parameters: Value) -> Outcome {
    let pack = shipped_pack("core");
    let action = ShippedAction::load(&pack, name);
    let request = action.request(&pack, name, parameters);
    run(&fixture.runtime(&action.runner_type), request).await.0
}

#[tokio::test]
async fn echo_noop_and_sleep() {
    let fixture = Fixture::new();
    let echo = run_core(&fixture, "echo", json!({"message": "héllo 'world' $HOME"})).await;
    assert_eq!(completed(&echo), &json!({"stdout": "héllo 'world' $HOME\n"}));

    let noop = run_core(&fixture, "noop", json!({})).await;
    assert_eq!(completed(&noop), &json!({}));

    let sleep = run_core(&fixture, "sleep", json!({"seconds": 0.2})).await;
    assert_eq!(completed(&sleep), &json!({"slept": 0.2}));
    let default = run_core(&fixture, "sleep", json!({"seconds": 0})).await;
    assert_eq!(completed(&default), &json!({"slept": 0}));
}

#[tokio::test]
async fn sleep_is_stopped_by_its_timeout() {
    let fixture = Fixture::new();
    let pack = shipped_pack("core");
    let action = ShippedAction::load(&pack, "sleep");
    let mut request = action.request(&pack, "sleep", json!({"seconds": 300}));
    request.limits.timeout = Duration::from_millis(200);
    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    assert_eq!(outcome.status(), TerminalStatus::Timeout);
}

#[tokio::test]
async fn local_runs_commands_and_reports_their_output() {
    let fixture = Fixture::new();
    let ok = run_core(&fixture, "local", json!({"cmd": "echo out; echo err >&2; echo 'quoted $x'"})).await;
    assert_eq!(completed(&ok), &json!({"stdout": "out\nquoted $x\n", "stderr": "err\n", "exit_code": 0}));
    assert_eq!(ok.stderr.text, "err\n", "the command's stderr is mirrored");

    // A command reading its stdin gets nothing (and does not eat the rest of the command).
    let reads = run_core(&fixture, "local", json!({"cmd": "cat; echo after"})).await;
    assert_eq!(completed(&reads)["stdout"], json!("after\n"));

    // The sandbox's own temporary directory: the host's are not visible.
    let in_dir = run_core(&fixture, "local", json!({"cmd": "mkdir -p /tmp/work && cd /tmp/work && pwd"})).await;
    assert_eq!(completed(&in_dir)["stdout"], json!("/tmp/work\n"));
    let there = run_core(&fixture, "local", json!({"cmd": "pwd", "cwd": "/tmp"})).await;
    assert_eq!(completed(&there)["stdout"], json!("/tmp\n"));

    let failing = run_core(&fixture, "local", json!({"cmd": "echo 'no such file' >&2; exit 4"})).await;
    let failure = failing.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert_eq!(failure.message, "exited with code 4: no such file");
    let reported: Value = serde_json::from_str(&failing.stdout.text).unwrap();
    assert_eq!(reported["exit_code"], json!(4));
}

#[tokio::test]
async fn http_talks_to_a_local_server() {
    let fixture = Fixture::new();
    let server = http_server::start().await;

    let get = run_core(&fixture, "http", json!({"url": format!("http://{server}/json")})).await;
    let result = completed(&get);
    assert_eq!(result["status"], json!(200));
    assert_eq!(result["body"], json!({"hello": "world"}));
    assert_eq!(result["headers"]["Set-Cookie"], json!("a=1, b=2"));

    let post = run_core(
        &fixture,
        "http",
        json!({"url": format!("http://{server}/echo"), "method": "POST", "json": {"n": 1, "s": "ü"}}),
    )
    .await;
    let echoed = &completed(&post)["body"];
    assert_eq!(echoed["method"], json!("POST"));
    assert_eq!(echoed["content_type"], json!("application/json"));
    assert_eq!(serde_json::from_str::<Value>(echoed["body"].as_str().unwrap()).unwrap(), json!({"n": 1, "s": "ü"}));

    let missing = run_core(&fixture, "http", json!({"url": format!("http://{server}/nope")})).await;
    let failure = missing.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert!(failure.message.ends_with("/nope answered 404"), "{}", failure.message);

    let tolerated = run_core(
        &fixture,
        "http",
        json!({"url": format!("http://{server}/nope"), "fail_on_status": false, "timeout": 0}),
    )
    .await;
    assert_eq!(completed(&tolerated)["status"], json!(404));
    assert_eq!(completed(&tolerated)["body"], json!("no such page"));
}

#[tokio::test]
async fn http_refuses_local_files_and_reports_unreachable_hosts() {
    let fixture = Fixture::new();
    let file = run_core(&fixture, "http", json!({"url": "file:///etc/passwd"})).await;
    let failure = file.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert!(failure.message.contains("only http and https URLs are supported, not file"), "{}", failure.message);
    assert!(!file.stdout.text.contains("root:"), "the file was read");

    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = run_core(&fixture, "http", json!({"url": format!("http://127.0.0.1:{port}/")})).await;
    let failure = refused.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert!(failure.message.contains("failed:"), "{}", failure.message);
}
