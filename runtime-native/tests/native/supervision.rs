//! Timeouts, cancellation, output limits and live output, with real process trees.

use std::time::{Duration, Instant};

use attune_runtime_api::{BoundedCapture, FailureKind, OutputFormat, Stream, TerminalStatus};
use serde_json::json;

use crate::support::{Fixture, Live, TEST_GRACE, dies_within, exists, printed_pid, run};

/// A leader and a grandchild that both ignore SIGTERM (an ignored signal stays ignored
/// across fork and exec), so only the SIGKILL after the grace period stops them.
const STUBBORN_TREE: &str = r#"trap '' TERM
sleep 300 &
echo "leader $$"
echo "grandchild $!"
while :; do sleep 1; done
"#;

#[tokio::test]
async fn a_timeout_kills_the_whole_tree_within_the_grace_period() {
    let fixture = Fixture::new();
    let pack = fixture.pack("slow");
    let script = pack.script("stubborn.sh", STUBBORN_TREE);
    let mut request = pack.request(&script, json!({}));
    request.limits.timeout = Duration::from_millis(500);
    request.output_format = OutputFormat::Text;

    let started = Instant::now();
    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    let stopped_after = started.elapsed() - Duration::from_millis(500);
    let tree_deadline = started + Duration::from_millis(500) + TEST_GRACE + Duration::from_secs(1);

    assert_eq!(outcome.status(), TerminalStatus::Timeout);
    let failure = outcome.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(failure.message, "did not finish within 0.500 s; the action's processes were stopped");
    assert!(
        stopped_after >= TEST_GRACE && stopped_after <= TEST_GRACE + Duration::from_secs(1),
        "stopped {stopped_after:?} after the timeout"
    );
    let leader = printed_pid(&outcome, "leader");
    let grandchild = printed_pid(&outcome, "grandchild");
    assert!(!exists(leader), "the action process was not reaped");
    let left = tree_deadline.saturating_duration_since(Instant::now());
    assert!(dies_within(grandchild, left).await, "the grandchild outlived grace + 1 s");
}

#[tokio::test]
async fn a_cooperative_tree_stops_at_sigterm_without_waiting_for_the_grace_period() {
    let fixture = Fixture::with_config(|config| config.grace_period_ms = 30_000);
    let pack = fixture.pack("polite");
    let script = pack.script("tree.sh", "sleep 300 &\necho \"grandchild $!\"\nwait\n");
    let mut request = pack.request(&script, json!({}));
    request.limits.timeout = Duration::from_millis(300);
    request.output_format = OutputFormat::Text;

    let started = Instant::now();
    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    assert_eq!(outcome.result.clone().unwrap_err().kind, FailureKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(dies_within(printed_pid(&outcome, "grandchild"), Duration::from_secs(1)).await);
}

#[tokio::test]
async fn cancellation_stops_the_tree_and_ends_cancelled() {
    let fixture = Fixture::new();
    let pack = fixture.pack("cancel");
    let script = pack.script(
        "tree.py",
        r#"
import subprocess, sys, time
child = subprocess.Popen(["sleep", "300"])
print("grandchild", child.pid)
print("started")
time.sleep(300)
"#,
    );
    let (mut live, execution) = Live::start(fixture.runtime("python"), pack.request(&script, json!({})));
    let grandchild = live.numbers_after("grandchild ").await[0];
    live.line_starting("started").await;
    assert!(exists(grandchild));

    live.io.cancel.cancel();
    let outcome = execution.await.unwrap();
    assert_eq!(outcome.status(), TerminalStatus::Cancelled);
    assert_eq!(outcome.result.unwrap_err().message, "cancelled; the action's processes were stopped");
    assert!(dies_within(grandchild, TEST_GRACE + Duration::from_secs(1)).await, "the grandchild survived cancellation");
}

#[tokio::test]
async fn abandoning_an_execution_kills_its_tree() {
    let fixture = Fixture::new();
    let pack = fixture.pack("abandoned");
    let script = pack.script("tree.sh", "sleep 300 &\necho \"pids $$ $!\"\nwait\n");
    // As when the worker shuts down: the execution's future is dropped mid-run.
    let (mut live, execution) = Live::start(fixture.runtime("shell"), pack.request(&script, json!({})));
    let pids = live.numbers_after("pids ").await;
    execution.abort();
    assert!(execution.await.unwrap_err().is_cancelled());
    for pid in pids {
        assert!(dies_within(pid, Duration::from_secs(2)).await, "{pid} outlived its execution");
    }
}

#[tokio::test]
async fn background_processes_left_behind_are_stopped_when_the_action_exits() {
    let fixture = Fixture::new();
    let pack = fixture.pack("leftover");
    let script = pack.script("daemon.sh", "sleep 300 &\necho \"{\\\"daemon\\\": $!}\"\n");
    let (outcome, _) = run(&fixture.runtime("shell"), pack.request(&script, json!({}))).await;
    let daemon = outcome.result.as_ref().unwrap()["daemon"].as_i64().unwrap() as i32;
    assert!(dies_within(daemon, Duration::from_secs(1)).await, "a background process outlived its action");
}

#[tokio::test]
async fn lines_are_streamed_while_the_action_runs_in_order() {
    let fixture = Fixture::new();
    let pack = fixture.pack("stream");
    let gate = fixture.dir.path().join("gate");
    let made = std::process::Command::new("mkfifo").arg(&gate).status().unwrap();
    assert!(made.success());
    let script = pack.script(
        "stream.py",
        r#"
import json, sys
gate = json.load(sys.stdin)["parameters"]["gate"]
print("out 1")
print("err 1", file=sys.stderr)
open(gate).read()          # blocks until the test opens the gate
for i in range(2, 6):
    print("out %d" % i)
    print("err %d" % i, file=sys.stderr)
print("done")
"#,
    );
    let mut request = pack.request(&script, json!({"gate": gate}));
    request.output_format = OutputFormat::Text;
    let (mut live, execution) = Live::start(fixture.runtime("python"), request);

    // Both first lines arrive while the action is blocked on the gate.
    let mut early = [live.lines.recv().await.unwrap(), live.lines.recv().await.unwrap()];
    early.sort_by_key(|line| line.stream == Stream::Stderr);
    assert_eq!((early[0].stream, early[0].text.as_str()), (Stream::Stdout, "out 1"));
    assert_eq!((early[1].stream, early[1].text.as_str()), (Stream::Stderr, "err 1"));
    assert!(!execution.is_finished());

    std::fs::write(&gate, "go").unwrap();
    let outcome = execution.await.unwrap();
    assert_eq!(outcome.status(), TerminalStatus::Completed);
    drop(live.io);
    let mut rest = Vec::new();
    while let Some(line) = live.lines.recv().await {
        rest.push(line);
    }
    let of = |stream| -> Vec<String> { rest.iter().filter(|l| l.stream == stream).map(|l| l.text.clone()).collect() };
    assert_eq!(of(Stream::Stdout), ["out 2", "out 3", "out 4", "out 5", "done"]);
    assert_eq!(of(Stream::Stderr), ["err 2", "err 3", "err 4", "err 5"]);
}

#[tokio::test]
async fn output_beyond_the_limit_is_truncated_and_stops_the_action() {
    let fixture = Fixture::new();
    let pack = fixture.pack("flood");
    // Endless output: only the limit stops it.
    let script = pack.script("flood.sh", "echo \"leader $$\"\nyes 'all work and no play'\n");
    let mut request = pack.request(&script, json!({}));
    request.limits.output_bytes = 64 * 1024;
    request.output_format = OutputFormat::Text;

    let (outcome, lines) = run(&fixture.runtime("shell"), request).await;
    let failure = outcome.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::InvalidOutput);
    assert_eq!(failure.message, "the action wrote more than the 65536-byte limit to stdout; the action was stopped");
    let notice = BoundedCapture::truncation_notice(64 * 1024);
    assert!(outcome.stdout.truncated);
    assert!(outcome.stdout.total_bytes > 64 * 1024);
    assert!(outcome.stdout.text.ends_with(&notice));
    assert!(outcome.stdout.text.len() <= 64 * 1024 + notice.len() + 1);
    assert_eq!(lines.last().unwrap().text, notice, "the live output ends with the notice");
    let streamed: usize = lines.iter().map(|l| l.text.len() + 1).sum();
    assert!(streamed <= 64 * 1024 + notice.len() + 1, "streamed {streamed} bytes");
    assert!(!exists(printed_pid(&outcome, "leader")));
}

#[tokio::test]
async fn the_default_limit_keeps_ten_mebibytes_of_each_stream() {
    let fixture = Fixture::new();
    let pack = fixture.pack("bigerr");
    // 11 MiB on stderr, a valid result on stdout, exit 0.
    let script = pack.script("big.sh", "head -c 11534336 /dev/zero | tr '\\0' 'e' >&2\necho '{\"ok\": true}'\n");
    let (outcome, _) = run(&fixture.runtime("shell"), pack.request(&script, json!({}))).await;
    let failure = outcome.result.clone().unwrap_err();
    assert_eq!(failure.kind, FailureKind::InvalidOutput);
    assert!(failure.message.contains("10485760-byte limit to stderr"), "{}", failure.message);
    assert!(outcome.stderr.truncated);
    let notice = BoundedCapture::truncation_notice(10 << 20);
    let kept = outcome.stderr.text.strip_suffix(notice.as_str()).unwrap();
    assert_eq!(kept.trim_end_matches('\n').len(), 10 << 20);
    assert!(!outcome.stdout.truncated);
}
