//! The program's own process, between `fork` and `exec`: resource limits, the sandbox's
//! user (every capability gone), the working directory, the Landlock domain, then the
//! program. A failure is reported on the channel and nothing is started.

use std::os::unix::process::CommandExt;

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};
use nix::unistd::{Gid, Uid};

use super::channel::{Message, Sender};
use super::{landlock, sys};
use crate::sandbox::spec::{HelperSpec, ProcessLimits};

/// Exit code when the program could not be started.
const NOT_STARTED: i32 = 127;

/// Starts the program; never returns.
pub fn run(spec: &HelperSpec, channel: &mut Sender) -> ! {
    let problem = match prepare(spec) {
        Err(problem) => problem,
        Ok(landlock) if spec.probe => {
            channel.send(&Message::Landlock(landlock));
            sys::exit_now(0)
        }
        Ok(_) => {
            let error = std::process::Command::new(&spec.program).args(&spec.args).exec();
            format!("cannot start {}: {error}", spec.program.display())
        }
    };
    channel.send(&Message::SetupError(problem));
    sys::exit_now(NOT_STARTED)
}

fn prepare(spec: &HelperSpec) -> Result<crate::sandbox::spec::LandlockReport, String> {
    // The first process blocks the signals it reads; the program must receive them.
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)
        .map_err(|e| format!("cannot unblock signals: {e}"))?;
    apply_limits(&spec.limits)?;
    let (uid, gid) = (Uid::from_raw(spec.ids.uid), Gid::from_raw(spec.ids.gid));
    if nix::unistd::getuid() != uid || nix::unistd::getgid() != gid {
        // Group first: once the user is not root any more, it could not be changed.
        nix::unistd::setresgid(gid, gid, gid).map_err(|e| format!("cannot switch to the sandbox's group: {e}"))?;
        nix::unistd::setresuid(uid, uid, uid).map_err(|e| format!("cannot switch to the sandbox's user: {e}"))?;
    }
    nix::unistd::chdir(&spec.cwd)
        .map_err(|e| format!("cannot enter the working directory {}: {e}", spec.cwd.display()))?;
    landlock::restrict(&spec.landlock)
}

/// Per-process limits, each at most what the server itself may have (raising a hard limit
/// takes a privilege the sandbox does not have). Memory gets a quarter more than the
/// tree's limit: the tree's watch, which names the limit, should end a growing tree before
/// an allocation fails.
fn apply_limits(limits: &ProcessLimits) -> Result<(), String> {
    let set = |resource: Resource, value: u64, what: &str| {
        let value = getrlimit(resource).map_or(value, |(_, hard)| value.min(hard));
        setrlimit(resource, value, value).map_err(|e| format!("cannot limit {what} to {value}: {e}"))
    };
    set(Resource::RLIMIT_CORE, 0, "core dumps")?;
    set(Resource::RLIMIT_NOFILE, limits.open_files, "open files")?;
    // The first process of the sandbox may count as one of the user's processes.
    set(Resource::RLIMIT_NPROC, limits.processes.saturating_add(1), "processes")?;
    set(Resource::RLIMIT_DATA, limits.memory_bytes.saturating_add(limits.memory_bytes / 4), "memory")?;
    if let Some(cpu_s) = limits.cpu_s {
        // SIGXCPU at the limit, SIGKILL a second later for a process that catches it.
        let hard = getrlimit(Resource::RLIMIT_CPU).map_or(u64::MAX, |(_, hard)| hard);
        setrlimit(Resource::RLIMIT_CPU, cpu_s.min(hard), cpu_s.saturating_add(1).min(hard))
            .map_err(|e| format!("cannot limit CPU time to {cpu_s} s: {e}"))?;
    }
    Ok(())
}
