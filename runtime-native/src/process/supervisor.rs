//! Supervision: the one place where a child's end is decided and its tree cleaned up.
//!
//! Four things can end a child — it exits, its time runs out, the user cancels, or an
//! output stream crosses its limit — and they are raced in a single `select!`, so there is
//! exactly one answer to "why did it stop". However it ended, the same shutdown follows:
//! SIGTERM to the whole process group; a grace period for the leader to exit and for every
//! holder of the output pipes to let go; SIGKILL to the group; the leader reaped. A child
//! that exited by itself goes through it too, which is what stops background processes it
//! left behind (orphans would otherwise outlive the execution). Grandchildren whose parent
//! died are reaped by init or the nearest subreaper, not by us.

use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use attune_runtime_api::{CapturedText, OutputSink, Stream};
use tokio::process::Child;
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::capture::StreamCapture;
use super::group::ProcessGroup;
use super::spawn::SpawnedProcess;

/// After SIGKILL, how long to keep reading output that is still arriving. Only a process
/// that left the group (setsid) can hold the pipes this long; it is abandoned, unread.
const DRAIN_AFTER_KILL: Duration = Duration::from_millis(500);

/// The limits one child runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionPolicy {
    /// Wall-clock limit from the start; `None` for a process meant to run until stopped.
    pub timeout: Option<Duration>,
    /// Time between SIGTERM and SIGKILL.
    pub grace_period: Duration,
    /// Bytes kept (and streamed) of each of stdout and stderr; crossing it stops the
    /// child. `None` streams every line and keeps nothing.
    pub output_limit: Option<usize>,
}

/// Why a supervised child stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It exited (or was killed by a signal) on its own.
    Exited,
    /// Its wall-clock limit passed and it was stopped.
    TimedOut,
    /// The cancellation token fired and it was stopped.
    Cancelled,
    /// This stream crossed its output limit and the child was stopped.
    OutputLimit(Stream),
}

/// The end of a supervised child.
#[derive(Debug, Clone)]
pub struct Supervised {
    /// Why it stopped.
    pub ending: Ending,
    /// The leader's exit status (absent only if waiting for it failed).
    pub exit_status: Option<ExitStatus>,
    /// What was kept of stdout.
    pub stdout: CapturedText,
    /// What was kept of stderr.
    pub stderr: CapturedText,
}

/// Supervises `process` to its end. Output lines go to `sink` as they are read.
pub async fn supervise(
    process: SpawnedProcess,
    policy: &SupervisionPolicy,
    sink: Arc<dyn OutputSink>,
    cancel: &CancellationToken,
) -> Supervised {
    let SpawnedProcess { mut child, group, stdout, stderr, feeder, guard } = process;

    let (limit_reached, mut limit_crossed) = mpsc::channel(2);
    let stop_reading = CancellationToken::new();
    let readers = TaskTracker::new();
    let capture = |stream| StreamCapture {
        stream,
        limit: policy.output_limit,
        sink: sink.clone(),
        limit_reached: limit_reached.clone(),
    };
    let stdout = readers.spawn(capture(Stream::Stdout).run(stdout, stop_reading.clone()));
    let stderr = readers.spawn(capture(Stream::Stderr).run(stderr, stop_reading.clone()));
    readers.close();
    drop(limit_reached);

    let mut exit_status = None;
    let ending = race(&mut child, &mut exit_status, policy, cancel, &mut limit_crossed).await;
    shut_down(&mut child, &mut exit_status, group, &readers, policy.grace_period).await;
    if timeout(DRAIN_AFTER_KILL, readers.wait()).await.is_err() {
        stop_reading.cancel();
    }
    guard.disarm();
    feeder.abort();

    Supervised {
        ending,
        exit_status,
        stdout: stdout.await.unwrap_or_default(),
        stderr: stderr.await.unwrap_or_default(),
    }
}

/// Waits for the first of: exit, cancellation, timeout, an output limit crossed.
async fn race(
    child: &mut Child,
    exit_status: &mut Option<ExitStatus>,
    policy: &SupervisionPolicy,
    cancel: &CancellationToken,
    limit_crossed: &mut mpsc::Receiver<Stream>,
) -> Ending {
    let deadline = async {
        match policy.timeout {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    // Biased so that a child that has already exited is reported as exited, whatever else
    // became ready at the same moment.
    tokio::select! {
        biased;
        status = child.wait() => {
            *exit_status = status.ok();
            Ending::Exited
        }
        () = cancel.cancelled() => Ending::Cancelled,
        () = deadline => Ending::TimedOut,
        Some(stream) = limit_crossed.recv() => Ending::OutputLimit(stream),
    }
}

/// Stops whatever is left of the group and reaps the leader: SIGTERM; up to the grace
/// period for the leader to exit and every holder of the output pipes to close them;
/// SIGKILL.
async fn shut_down(
    child: &mut Child,
    exit_status: &mut Option<ExitStatus>,
    group: ProcessGroup,
    readers: &TaskTracker,
    grace_period: Duration,
) {
    group.terminate();
    let settled = timeout(grace_period, async {
        if exit_status.is_none() {
            *exit_status = child.wait().await.ok();
        }
        readers.wait().await;
    })
    .await;
    if settled.is_err() {
        tracing::debug!(pgid = group.id(), "process group still alive after the grace period");
    }
    group.kill();
    if exit_status.is_none() {
        *exit_status = child.wait().await.ok();
    }
}
