//! The sandbox's first process: builds the view, starts the program, and looks after the
//! tree until it has ended.
//!
//! As PID 1 of its namespace it is the parent of every orphan of the tree and reaps them;
//! when it exits the kernel kills every process left in the namespace, so a tree cannot
//! outlive it, whatever it forks or however it detaches.

use std::fs::File;
use std::io::Read;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, kill, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Gid, Pid};

use super::channel::{Ending, Exit, Message, Sender};
use super::watch::Watch;
use super::{FORWARDED, mounts, start, sys};
use crate::sandbox::spec::{HelperSpec, LimitReached, ProcessLimits};

/// Runs the sandbox's first process; never returns.
pub fn run(spec: &HelperSpec, ready: File, mut channel: Sender) -> ! {
    let message = match set_up_and_supervise(spec, ready, &mut channel) {
        Ok(ending) => {
            // Every process of the tree has been reaped: nothing can change the directory
            // while it is read.
            if let Some(artifacts) = &spec.artifacts {
                channel.send(&Message::Artifacts(crate::artifacts::collect(&artifacts.dir, artifacts.max_bytes)));
            }
            Message::Ended(ending)
        }
        Err(problem) => Message::SetupError(problem),
    };
    channel.send(&message);
    sys::exit_now(0)
}

fn set_up_and_supervise(spec: &HelperSpec, mut ready: File, channel: &mut Sender) -> Result<Ending, String> {
    // Should the helper outside be killed, so is this process, and with it the sandbox.
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(|e| format!("cannot set the parent-death signal: {e}"))?;
    let mut byte = [0u8; 1];
    if !matches!(ready.read(&mut byte), Ok(1)) {
        return Err("the sandbox helper went away before mapping the sandbox's user".into());
    }
    drop(ready);
    // The server's own umask keeps its files private; the view's directories and what the
    // program creates are the program's business.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
    if spec.ids.clear_groups {
        nix::unistd::setgroups(&[] as &[Gid]).map_err(|e| format!("cannot drop supplementary groups: {e}"))?;
    }
    mounts::build(&spec.view)?;
    if let Some(artifacts) = &spec.artifacts {
        artifacts_dir(&artifacts.dir, spec.ids.uid)
            .map_err(|e| format!("cannot create the artifacts directory {}: {e}", artifacts.dir.display()))?;
    }

    let signals = block_signals().map_err(|e| format!("cannot set up signal handling: {e}"))?;
    let program = match sys::fork().map_err(|e| format!("cannot start the program's process: {e}"))? {
        sys::Side::Child => start::run(spec, channel),
        sys::Side::Parent(pid) => pid,
    };
    // The program has its copies of stdin, stdout and stderr; holding them here would keep
    // the worker waiting for the end of output after the program has gone.
    for fd in 0..=2 {
        let _ = nix::unistd::close(fd);
    }
    Ok(supervise(program, &signals, &spec.limits))
}

/// Creates the directory the program leaves its artifacts in, its own (`uid`) and private.
fn artifacts_dir(dir: &std::path::Path, uid: u32) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    std::os::unix::fs::chown(dir, Some(uid), None)
}

/// Catches and blocks the signals this process handles, and opens a descriptor that
/// delivers them.
fn block_signals() -> Result<SignalFd, Errno> {
    let mut set = SigSet::empty();
    set.add(Signal::SIGCHLD);
    for signal in FORWARDED {
        set.add(signal);
    }
    sys::catch(&FORWARDED).map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None)?;
    SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
}

/// Reaps the tree, passes stop requests on, ends it at a limit; once the program has
/// exited, stops what is left of the tree. Returns how the program ended.
fn supervise(program: Pid, signals: &SignalFd, limits: &ProcessLimits) -> Ending {
    let mut watch = Watch::new(limits);
    let interval = Duration::from_millis(limits.watch_interval_ms);
    let mut next_look = Instant::now() + interval;
    let mut tree = Tree::default();
    let exit = loop {
        tree.reap(program);
        if let Some(exit) = tree.program {
            break exit;
        }
        if Instant::now() >= next_look {
            next_look = Instant::now() + interval;
            if let Some(limit) = watch.look() {
                tree.limit = Some(limit);
                let _ = kill(Pid::from_raw(-1), Signal::SIGKILL);
                continue;
            }
        }
        wait_for_signal(signals, next_look.saturating_duration_since(Instant::now()), true);
    };
    stop_the_rest(&mut tree, &mut watch, signals, Duration::from_millis(limits.grace_ms), interval);
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).ok();
    let cpu_ms = usage.map_or(0, |u| {
        let ms = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1000 + t.tv_usec() as u64 / 1000;
        ms(u.user_time()) + ms(u.system_time())
    });
    let largest_process = usage.map_or(0, |u| u.max_rss().max(0) as u64 * 1024);
    let peak_memory_bytes = watch.peak_memory().max(largest_process);
    // A tree that outgrew its memory between two looks and then failed (an allocation the
    // per-process limit refused: Python's MemoryError, a failed malloc) failed because of
    // the limit, whatever its exit code says.
    let outgrew_memory = peak_memory_bytes > limits.memory_bytes && !matches!(exit, Exit::Code(0));
    let limit = tree
        .limit
        .or(tree.cpu_exceeded.then_some(LimitReached::Cpu))
        .or(outgrew_memory.then_some(LimitReached::Memory));
    Ending { exit, limit, peak_memory_bytes, cpu_ms }
}

/// SIGTERM to every other process of the namespace, the grace period for them to end,
/// SIGKILL; every one reaped. The limits are still watched meanwhile: what the program left
/// behind (a fork bomb whose first process returned at once) may be what reaches them,
/// and is then killed without waiting.
fn stop_the_rest(tree: &mut Tree, watch: &mut Watch, signals: &SignalFd, grace: Duration, interval: Duration) {
    if tree.reap_all_now() {
        return;
    }
    let _ = kill(Pid::from_raw(-1), Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if tree.reap_all_now() {
            return;
        }
        if let Some(limit) = watch.look() {
            tree.limit = tree.limit.or(Some(limit));
            break;
        }
        let wait = interval.min(deadline.saturating_duration_since(Instant::now()));
        wait_for_signal(signals, wait, false);
    }
    let _ = kill(Pid::from_raw(-1), Signal::SIGKILL);
    while !matches!(waitpid(None, None), Err(Errno::ECHILD)) {}
}

/// Waits up to `timeout` for a signal; forwards stop requests when `forward`.
fn wait_for_signal(signals: &SignalFd, timeout: Duration, forward: bool) {
    let millis = u16::try_from(timeout.as_millis().max(1)).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(std::os::fd::AsFd::as_fd(signals), PollFlags::POLLIN)];
    let _ = poll(&mut fds, PollTimeout::from(millis));
    while let Ok(Some(info)) = signals.read_signal() {
        let signal = Signal::try_from(info.ssi_signo as i32);
        if let (true, Ok(signal)) = (forward, signal)
            && signal != Signal::SIGCHLD
        {
            let _ = kill(Pid::from_raw(-1), signal);
        }
    }
}

/// What has become of the tree's processes.
#[derive(Default)]
struct Tree {
    /// How the program ended, once it has.
    program: Option<Exit>,
    /// The limit that made this process end the tree.
    limit: Option<LimitReached>,
    /// A process of the tree was killed for exceeding its CPU time.
    cpu_exceeded: bool,
}

impl Tree {
    /// Reaps every process that has ended, noting the program's end.
    fn reap(&mut self, program: Pid) {
        loop {
            let (pid, exit) = match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(pid, code)) => (pid, Exit::Code(code)),
                Ok(WaitStatus::Signaled(pid, signal, _)) => {
                    self.cpu_exceeded |= signal == Signal::SIGXCPU;
                    (pid, Exit::Signal(signal as i32))
                }
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(_) => continue,
            };
            if pid == program {
                self.program = Some(exit);
            }
        }
    }

    /// Reaps what has ended; true when no process is left.
    fn reap_all_now(&mut self) -> bool {
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => return false,
                Err(Errno::ECHILD) => return true,
                Err(_) => return false,
                Ok(WaitStatus::Signaled(_, signal, _)) => self.cpu_exceeded |= signal == Signal::SIGXCPU,
                Ok(_) => {}
            }
        }
    }
}
