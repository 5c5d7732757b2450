//! Timeouts, cancellation, output limits and live output, with real process trees.

use std::time::{Duration, Instant};

use attune_runtime_api::{BoundedCapture, FailureKind, OutputFormat, Stream, TerminalStatus};
use serde_json::json;

use crate::support::{Fixture, Live, MARKED_SLEEP, TEST_GRACE, all_die_within, dies_within, host_pids, run};

/// A leader and a grandchild that both ignore SIGTERM (an ignored signal stays ignored
/// across fork and exec), so only the SIGKILL after the grace period stops them. The
/// grandchild is named after the fixture's marker so that the test finds it on the host.
fn stubborn_tree() -> String {
    format!("trap '' TERM\n{MARKED_SLEEP}while :; do sleep 1; done\n")
}

#[tokio::test]
async fn a_timeout_kills_the_whole_tree_within_the_grace_period() {
    for (mode, fixture) in Fixture::both() {
        let pack = fixture.pack("slow");
        let script = pack.script("stubborn.sh", &stubborn_tree());
        let mut request = pack.request(&script, json!({"mark": fixture.marker()}));
        request.limits.timeout = Duration::from_millis(500);
        request.output_format = OutputFormat::Text;

        let started = Instant::now();
        let (mut live, execution) = Live::start(fixture.runtime("shell"), request);
        live.line_starting("started").await;
        // The leader forks a `sleep 1` every second; for an instant the fork still carries the
        // leader's command line, so look again until the tree is seen between two forks.
        let sample = || [host_pids(&fixture.marker()), host_pids(&script.display().to_string())].concat();
        let mut tree: Vec<i32> = sample();
        for _ in 0..50 {
            if tree.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            tree = sample();
        }
        assert_eq!(tree.len(), 2, "{mode}: leader and grandchild, found {tree:?}");
        let outcome = execution.await.unwrap();
        let stopped_after = started.elapsed() - Duration::from_millis(500);

        assert_eq!(outcome.status(), TerminalStatus::Timeout, "{mode}");
        let failure = outcome.result.clone().unwrap_err();
        assert_eq!(failure.kind, FailureKind::Timeout);
        assert_eq!(failure.message, "did not finish within 0.500 s; the action's processes were stopped");
        assert!(
            stopped_after >= TEST_GRACE && stopped_after <= TEST_GRACE + Duration::from_secs(1),
            "{mode}: stopped {stopped_after:?} after the timeout"
        );
        for pid in tree {
            assert!(dies_within(pid, Duration::from_secs(1)).await, "{mode}: {pid} outlived grace + 1 s");
        }
    }
}

#[tokio::test]
async fn a_cooperative_tree_stops_at_sigterm_without_waiting_for_the_grace_period() {
    let fixture = Fixture::with_config(|config| config.grace_period_ms = 30_000);
    let pack = fixture.pack("polite");
    let script = pack.script("tree.sh", &format!("{MARKED_SLEEP}wait\n"));
    let mut request = pack.request(&script, json!({"mark": fixture.marker()}));
    request.limits.timeout = Duration::from_millis(300);
    request.output_format = OutputFormat::Text;

    let started = Instant::now();
    let (outcome, _) = run(&fixture.runtime("shell"), request).await;
    assert_eq!(outcome.result.clone().unwrap_err().kind, FailureKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(all_die_within(&fixture.marker(), Duration::from_secs(1)).await);
}

#[tokio::test]
async fn cancellation_stops_the_tree_and_ends_cancelled() {
    for (mode, fixture) in Fixture::both() {
        let pack = fixture.pack("cancel");
        let script = pack.script(
            "tree.py",
            r#"
import json, subprocess, sys, time
mark = json.load(sys.stdin)["parameters"]["mark"]
child = subprocess.Popen([mark, "300"], executable="sleep")
print("started")
time.sleep(300)
"#,
        );
        let request = pack.request(&script, json!({"mark": fixture.marker()}));
        let (mut live, execution) = Live::start(fixture.runtime("python"), request);
        live.line_starting("started").await;
        // Seen from the host a moment later on a loaded machine: look again for a while.
        let mut found = host_pids(&fixture.marker());
        for _ in 0..100 {
            if !found.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            found = host_pids(&fixture.marker());
        }
        assert_eq!(found.len(), 1, "{mode}: the grandchild runs");

        live.io.cancel.cancel();
        let outcome = execution.await.unwrap();
        assert_eq!(outcome.status(), TerminalStatus::Cancelled, "{mode}");
        assert_eq!(outcome.result.unwrap_err().message, "cancelled; the action's processes were stopped");
        let within = TEST_GRACE + Duration::from_secs(1);
        assert!(all_die_within(&fixture.marker(), within).await, "{mode}: the grandchild survived cancellation");
    }
}

#[tokio::test]
async fn abandoning_an_execution_kills_its_tree() {
    for (mode, fixture) in Fixture::both() {
        let pack = fixture.pack("abandoned");
        let script = pack.script("tree.sh", &format!("{MARKED_SLEEP}wait\n"));
        // As when the worker shuts down: the execution's future is dropped mid-run.
        let request = pack.request(&script, json!({"mark": fixture.marker()}));
        let (mut live, execution) = Live::start(fixture.runtime("shell"), request);
        live.line_starting("started").await;
        let tree: Vec<i32> = [host_pids(&fixture.marker()), host_pids(&script.display().to_string())].concat();
        assert_eq!(tree.len(), 2, "{mode}: {tree:?}");
        execution.abort();
        assert!(execution.await.unwrap_err().is_cancelled());
        for pid in tree {
            assert!(dies_within(pid, Duration::from_secs(2)).await, "{mode}: {pid} outlived its execution");
        }
    }
}

#[tokio::test]
async fn background_processes_left_behind_are_stopped_when_the_action_exits() {
    for (mode, fixture) in Fixture::both() {
        let pack = fixture.pack("leftover");
        // One stays in the action's process group, one leaves it with setsid.
        let script = pack.script(
            "daemon.sh",
            r#"(exec -a "$PARAM_MARK-in-group" sleep 300) &
setsid bash -c 'exec -a "$0" sleep 300' "$PARAM_MARK-detached" &
echo '{}'
"#,
        );
        let (outcome, _) =
            run(&fixture.runtime("shell"), pack.request(&script, json!({"mark": fixture.marker()}))).await;
        assert_eq!(outcome.status(), TerminalStatus::Completed, "{mode}");
        let in_group = format!("{}-in-group", fixture.marker());
        assert!(all_die_within(&in_group, Duration::from_secs(1)).await, "{mode}: a background process survived");
        let detached = format!("{}-detached", fixture.marker());
        if mode == "confined" {
            // The sandbox's PID namespace ends with it: leaving the group is no escape.
            assert_eq!(host_pids(&detached), Vec::<i32>::new(), "{mode}: a detached process survived");
        } else {
            // Only a process group holds an unconfined tree together.
            for pid in host_pids(&detached) {
                let _ = std::process::Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
        }
    }
}

#[tokio::test]
async fn lines_are_streamed_while_the_action_runs_in_order() {
    let gates = tempfile::tempdir().unwrap();
    // The gate must be visible inside the sandbox.
    let fixture = Fixture::with_config(|config| config.sandbox.system_paths.push(gates.path().to_path_buf()));
    let pack = fixture.pack("stream");
    let gate = gates.path().join("gate");
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
    let script = pack.script("flood.sh", "yes 'all work and no play'\n");
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
    assert!(all_die_within(&script.display().to_string(), Duration::from_secs(1)).await);
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
