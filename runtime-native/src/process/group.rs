//! Signalling a whole process group.
//!
//! Every supervised child is started as the leader of a new process group, so whatever it
//! forks (a pipeline, a background job, a grandchild) is in the same group unless it
//! deliberately leaves it. Signals go to the group, never just to the leader: stopping only
//! the leader would orphan the rest.

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// The process group of one supervised child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessGroup {
    pgid: Pid,
}

impl ProcessGroup {
    /// The group led by the process `leader` (started with `process_group(0)`).
    pub fn led_by(leader: u32) -> Self {
        let pid = i32::try_from(leader).expect("process ids fit in pid_t");
        Self { pgid: Pid::from_raw(pid) }
    }

    /// The group id (the leader's pid).
    pub fn id(&self) -> i32 {
        self.pgid.as_raw()
    }

    /// Asks every process of the group to stop (SIGTERM).
    pub fn terminate(&self) {
        self.signal(Signal::SIGTERM);
    }

    /// Stops every process of the group now (SIGKILL).
    pub fn kill(&self) {
        self.signal(Signal::SIGKILL);
    }

    fn signal(&self, signal: Signal) {
        match killpg(self.pgid, signal) {
            // An empty group is the common case once the action has ended by itself.
            Ok(()) | Err(Errno::ESRCH) => {}
            Err(error) => {
                tracing::warn!(pgid = self.id(), %signal, %error, "could not signal a process group")
            }
        }
    }
}

/// Kills the group if the supervision is abandoned half-way (its future dropped), so that
/// no action outlives the execution that started it.
#[derive(Debug)]
pub(crate) struct KillGroupOnDrop {
    group: Option<ProcessGroup>,
}

impl KillGroupOnDrop {
    pub fn new(group: ProcessGroup) -> Self {
        Self { group: Some(group) }
    }

    /// The group has been stopped and its leader reaped: nothing left to do.
    pub fn disarm(mut self) {
        self.group = None;
    }
}

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            group.kill();
        }
    }
}
