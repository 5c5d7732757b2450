//! Test fixtures: a temporary directory per test holding its packs and its
//! `runtime_envs_dir`, requests built like the worker builds them, and output recorded as
//! it arrives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attune_runtime_api::{
    ExecutionContext, ExecutionIo, ExecutionRequest, Limits, MemoryKv, Outcome, OutputFormat, OutputLine,
    RequestedLimits, Runtime,
};
use attune_runtime_native::{NativeConfig, NativeRuntimes};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Grace period used by tests that stop actions: long enough to be honoured, short enough
/// to keep the suite quick.
pub const TEST_GRACE: Duration = Duration::from_secs(1);

/// One test's world: its own directory, environments and runtimes.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub runtimes: NativeRuntimes,
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_config(|_| {})
    }

    /// A fixture whose actions run with the sandbox turned off (the configuration that
    /// trusts native actions).
    pub fn unconfined() -> Self {
        Self::with_config(|config| config.sandbox.enabled = false)
    }

    /// A confined fixture and an unconfined one: what holds for both.
    pub fn both() -> [(&'static str, Self); 2] {
        [("confined", Self::new()), ("unconfined", Self::unconfined())]
    }

    /// A name for processes of this fixture that the test looks for on the host (`exec -a`
    /// gives a process this name): the sandbox hides the host's pids from actions.
    pub fn marker(&self) -> String {
        let tag: String = self.dir.path().to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        format!("attune-test-{tag}")
    }

    /// A fixture whose configuration `adjust` changes (environments stay in the temp dir).
    pub fn with_config(adjust: impl FnOnce(&mut NativeConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = NativeConfig::with_envs_dir(dir.path().join("envs"));
        config.grace_period_ms = TEST_GRACE.as_millis() as u64;
        config.sandbox.helper = Some(env!("CARGO_BIN_EXE_attune-sandbox").into());
        adjust(&mut config);
        Self { runtimes: NativeRuntimes::new(config), dir }
    }

    /// Runtimes configured the same way but sharing nothing in memory with this fixture's
    /// (another worker process on the same machine, as far as environments are concerned).
    pub fn second_worker(&self) -> NativeRuntimes {
        NativeRuntimes::new(self.runtimes.toolchain().config().clone())
    }

    pub fn envs_dir(&self) -> PathBuf {
        self.dir.path().join("envs")
    }

    /// A new empty pack `name` in this fixture's directory.
    pub fn pack(&self, name: &str) -> TestPack {
        let dir = self.dir.path().join("packs").join(name);
        std::fs::create_dir_all(dir.join("actions")).expect("pack dir");
        TestPack { name: name.to_owned(), dir }
    }

    /// The runtime of `runner_type`.
    pub fn runtime(&self, runner_type: &str) -> Arc<dyn Runtime> {
        runtime_of(&self.runtimes, runner_type)
    }
}

pub fn runtime_of(runtimes: &NativeRuntimes, runner_type: &str) -> Arc<dyn Runtime> {
    runtimes
        .runtimes()
        .into_iter()
        .find(|r| r.runner_types() == [runner_type])
        .unwrap_or_else(|| panic!("no runtime for {runner_type}"))
}

/// A pack directory on disk.
pub struct TestPack {
    pub name: String,
    pub dir: PathBuf,
}

impl TestPack {
    /// Writes `relative` (inside the pack) with `contents`.
    pub fn file(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Writes the action script `actions/<file>`.
    pub fn script(&self, file: &str, contents: &str) -> PathBuf {
        self.file(&format!("actions/{file}"), contents)
    }

    /// A request to run `entry_point` with `parameters`, as the worker would send it.
    pub fn request(&self, entry_point: &Path, parameters: Value) -> ExecutionRequest {
        ExecutionRequest {
            context: ExecutionContext {
                execution_id: 42,
                action_ref: format!("{}.test", self.name),
                pack_ref: self.name.clone(),
                attempt: 1,
                ..ExecutionContext::default()
            },
            pack_dir: self.dir.clone(),
            entry_point: entry_point.to_path_buf(),
            parameters,
            secrets: BTreeMap::new(),
            pack_config: json!({}),
            output_format: OutputFormat::Json,
            allowed_hosts: Vec::new(),
            limits: Limits {
                timeout: Duration::from_secs(60),
                fuel: 0,
                memory_bytes: 0,
                output_bytes: 10 << 20,
                artifact_bytes: 1 << 20,
            },
            requested_limits: RequestedLimits::default(),
            kv: Arc::new(MemoryKv::new()),
        }
    }
}

/// Output of an execution as it arrives, and the means to cancel it.
pub struct Live {
    pub io: ExecutionIo,
    pub lines: mpsc::UnboundedReceiver<OutputLine>,
}

impl Live {
    pub fn new() -> Self {
        let (tx, lines) = mpsc::unbounded_channel();
        let io = ExecutionIo {
            output: Arc::new(move |line: OutputLine| {
                let _ = tx.send(line);
            }),
            cancel: CancellationToken::new(),
        };
        Self { io, lines }
    }

    /// Starts `request` in the background; its output arrives in the returned `Live`.
    pub fn start(runtime: Arc<dyn Runtime>, request: ExecutionRequest) -> (Self, tokio::task::JoinHandle<Outcome>) {
        let live = Self::new();
        let io = live.io.clone();
        let execution = tokio::spawn(async move { runtime.execute(request, io).await });
        (live, execution)
    }

    /// The next line whose text starts with `prefix` (others are skipped).
    pub async fn line_starting(&mut self, prefix: &str) -> OutputLine {
        loop {
            let line = self.lines.recv().await.expect("output ended");
            if line.text.starts_with(prefix) {
                return line;
            }
        }
    }
}

/// Runs `request` to its end, returning the outcome and every output line.
pub async fn run(runtime: &Arc<dyn Runtime>, request: ExecutionRequest) -> (Outcome, Vec<OutputLine>) {
    let mut live = Live::new();
    let outcome = runtime.execute(request, live.io.clone()).await;
    drop(live.io);
    let mut lines = Vec::new();
    while let Ok(line) = live.lines.try_recv() {
        lines.push(line);
    }
    (outcome, lines)
}

/// The result of a completed outcome, or a panic showing why it did not complete.
pub fn completed(outcome: &Outcome) -> &Value {
    match &outcome.result {
        Ok(value) => value,
        Err(failure) => panic!(
            "expected completion, got {failure}\nstdout: {}\nstderr: {}",
            outcome.stdout.text, outcome.stderr.text
        ),
    }
}

/// Waits until process `pid` (not a child of ours) has died, for at most `within`; returns
/// whether it did. Waits on a pidfd, which becomes readable when the process exits.
pub async fn dies_within(pid: i32, within: Duration) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use rustix::process::{Pid, PidfdFlags, pidfd_open};
    let pid = Pid::from_raw(pid).expect("a positive pid");
    let pidfd = match pidfd_open(pid, PidfdFlags::empty()) {
        Ok(pidfd) => pidfd,
        // Gone already (and collected by its parent).
        Err(rustix::io::Errno::SRCH) => return true,
        Err(error) => panic!("pidfd_open: {error}"),
    };
    let timeout = Timespec::try_from(within).expect("a representable timeout");
    tokio::task::spawn_blocking(move || {
        let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
        poll(&mut fds, Some(&timeout)).expect("poll on a pidfd") == 1
    })
    .await
    .expect("the waiting thread does not panic")
}

/// Shell lines starting `sleep 300` in the background under the name `$PARAM_MARK` (see
/// [`Fixture::marker`]), and waiting until it carries that name, then printing `started`.
pub const MARKED_SLEEP: &str = r#"(exec -a "$PARAM_MARK" sleep 300) &
until tr '\0' ' ' < /proc/$!/cmdline 2>/dev/null | grep -q "^$PARAM_MARK "; do :; done
echo started
"#;

/// The host pids of the processes whose command line contains `marker`, but for the
/// sandbox's own (whose specification names everything the action runs).
pub fn host_pids(marker: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let wanted = |cmdline: Vec<u8>| {
        let program = cmdline.split(|&b| b == 0).next().unwrap_or_default();
        contains(&cmdline, marker) && !program.ends_with(b"attune-sandbox")
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(wanted))
        .collect()
}

/// Waits until every process found by [`host_pids`] for `marker` has died, for at most
/// `within`; returns whether they all did.
pub async fn all_die_within(marker: &str, within: Duration) -> bool {
    let deadline = std::time::Instant::now() + within;
    for pid in host_pids(marker) {
        if !dies_within(pid, deadline.saturating_duration_since(std::time::Instant::now())).await {
            return false;
        }
    }
    host_pids(marker).is_empty()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}
