//! Starting a child: clean environment, own process group, input written, output piped.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};
use tokio::task::JoinHandle;

use super::group::{KillGroupOnDrop, ProcessGroup};

/// Everything needed to start one child. The environment is exactly `env`: nothing of the
/// worker's own environment is inherited.
#[derive(Debug, Clone, Default)]
pub struct ProcessSpec {
    /// The program (an absolute path, normally).
    pub program: PathBuf,
    /// Its arguments. Never put anything secret here: argv is public in `/proc`.
    pub args: Vec<OsString>,
    /// The complete environment. Never put anything secret here either.
    pub env: Vec<(OsString, OsString)>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Written to the child's stdin, which is then closed. The only channel for anything
    /// secret.
    pub stdin: Vec<u8>,
}

/// A started child, not yet supervised.
#[derive(Debug)]
pub struct SpawnedProcess {
    pub(crate) child: Child,
    pub(crate) group: ProcessGroup,
    pub(crate) stdout: ChildStdout,
    pub(crate) stderr: ChildStderr,
    /// The task writing stdin; aborted once the child is gone.
    pub(crate) feeder: JoinHandle<()>,
    pub(crate) guard: KillGroupOnDrop,
}

impl SpawnedProcess {
    /// The child's pid, which is also its process group id.
    pub fn pid(&self) -> i32 {
        self.group.id()
    }
}

impl ProcessSpec {
    /// Starts the child as the leader of a new process group. Must be called within a
    /// tokio runtime.
    pub fn spawn(self) -> io::Result<SpawnedProcess> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        // No `pre_exec` and no extra descriptors: std can then start the child with
        // posix_spawn (vfork) instead of fork, which is most of the cost of a short action.
        let mut child = command.spawn()?;

        let pid = child.id().expect("a child that was just spawned has a pid");
        let group = ProcessGroup::led_by(pid);
        let guard = KillGroupOnDrop::new(group);
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");

        Ok(SpawnedProcess { child, group, stdout, stderr, feeder: tokio::spawn(feed(stdin, self.stdin)), guard })
    }
}

/// Writes `bytes` and closes the pipe. A child that exits or closes its end without reading
/// everything makes the write fail; that is its business, not an error of ours.
async fn feed(mut writer: impl AsyncWrite + Unpin, bytes: Vec<u8>) {
    if writer.write_all(&bytes).await.is_ok() {
        let _ = writer.shutdown().await;
    }
}
