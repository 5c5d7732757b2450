//! The `attune-sandbox` program: starts one process confined as its [`HelperSpec`] says,
//! waits for the whole tree to end, writes a [`HelperReport`] and ends the way the
//! process did (same exit code, same signal).
//!
//! Three processes take part, each single-threaded:
//! - this one, outside the sandbox: clones the next one into new user, mount, PID and IPC
//!   namespaces, writes its id maps (which only a process outside may do for a root
//!   server), then waits, and writes the report;
//! - the sandbox's first process (PID 1 of its namespace, `init`): builds the view, starts
//!   the program, reaps every process of the tree, watches its memory and process count,
//!   and when the program has ended stops the rest (SIGTERM, grace, SIGKILL). When it
//!   ends, the kernel kills whatever is left in the namespace: nothing outlives it;
//! - the program's process (`start`): limits, drops to the sandbox's user, enters the
//!   Landlock domain and `exec`s the program.
//!
//! They talk over two pipes that the program never holds: `ready` (maps written) and a
//! [`channel`] of messages back (set-up errors, the end of the tree).

mod channel;
mod init;
mod landlock;
mod mounts;
mod start;
#[allow(unsafe_code)]
mod sys;
mod watch;

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;

use super::spec::{HelperReport, HelperSpec, IdRange};
use channel::{Exit, Message};

/// Exit code when the sandbox itself could not be set up (as `env` and container
/// runtimes use it).
const SETUP_FAILED: i32 = 125;

/// Signals the sandbox passes on to its processes (the worker sends SIGTERM to stop a tree).
const FORWARDED: [Signal; 4] = [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP, Signal::SIGQUIT];

/// The program's entry point.
pub fn main() -> ! {
    let document = std::env::args().nth(1);
    let spec: HelperSpec = match document.as_deref().map(serde_json::from_str) {
        Some(Ok(spec)) => spec,
        Some(Err(error)) => usage(&format!("invalid specification: {error}")),
        None => usage("missing specification"),
    };
    let mut report = HelperReport::default();
    let exit = match run(&spec, &mut report) {
        Ok(exit) => exit,
        Err(problem) => {
            report.setup_error = Some(problem);
            Exit::Code(SETUP_FAILED)
        }
    };
    if let Err(error) = write_report(&spec, &report) {
        eprintln!("attune-sandbox: cannot write the report {}: {error}", spec.report.display());
    }
    end_like(exit)
}

fn usage(problem: &str) -> ! {
    eprintln!("attune-sandbox: {problem}\nIt is started by Attune's worker to run one confined process.");
    std::process::exit(SETUP_FAILED)
}

/// Starts the sandbox and waits for it; fills `report` in.
fn run(spec: &HelperSpec, report: &mut HelperReport) -> Result<Exit, String> {
    sys::close_inherited_descriptors().map_err(|e| format!("cannot close inherited descriptors: {e}"))?;
    let pipe = || nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("cannot create a pipe: {e}"));
    let (ready_reader, ready_writer) = pipe()?;
    let (channel_reader, channel_writer) = pipe()?;
    let init = match sys::clone_into_namespaces() {
        Ok(sys::Side::Child) => {
            drop((ready_writer, channel_reader));
            init::run(spec, ready_reader.into(), channel::Sender(channel_writer.into()))
        }
        Ok(sys::Side::Parent(pid)) => pid,
        Err(error) => return Err(format!("cannot create the sandbox's namespaces (user, mount, PID, IPC): {error}")),
    };
    drop((ready_reader, channel_writer));
    if let Err(error) = write_id_maps(init, &spec.ids) {
        let _ = nix::sys::signal::kill(init, Signal::SIGKILL);
        let _ = wait(init);
        return Err(format!("cannot map the sandbox's user onto the host's: {error}"));
    }
    let mut ready = File::from(ready_writer);
    ready.write_all(b"1").map_err(|e| format!("the sandbox's first process went away: {e}"))?;
    drop(ready);
    // From now on a stop request reaches the processes inside; this one outlives them to
    // write the report.
    sys::catch(&FORWARDED).map_err(|e| format!("cannot install signal handlers: {e}"))?;

    let messages = channel::receive_all(channel_reader.into());
    let init_status = wait(init);
    let mut ended = None;
    for message in messages {
        match message {
            Message::SetupError(problem) => return Err(problem),
            Message::Landlock(landlock) => report.landlock = Some(landlock),
            Message::Artifacts(collection) => report.artifacts = Some(collection),
            Message::Ended(ending) => ended = Some(ending),
        }
    }
    let ending = ended.ok_or_else(|| format!("the sandbox's first process ended unexpectedly ({init_status:?})"))?;
    report.limit = ending.limit;
    report.peak_memory_bytes = ending.peak_memory_bytes;
    report.cpu_ms = ending.cpu_ms;
    Ok(ending.exit)
}

/// Writes `/proc/<pid>/{setgroups,uid_map,gid_map}`, each in one write as the kernel
/// requires.
fn write_id_maps(pid: Pid, ids: &super::spec::IdentityMap) -> std::io::Result<()> {
    let write = |file: &str, contents: &str| -> std::io::Result<()> {
        let path = format!("/proc/{pid}/{file}");
        std::fs::OpenOptions::new().write(true).open(&path)?.write_all(contents.as_bytes())
    };
    let lines = |ranges: &[IdRange]| -> String {
        ranges.iter().map(|r| format!("{} {} {}\n", r.inside, r.outside, r.count)).collect()
    };
    if ids.deny_setgroups {
        write("setgroups", "deny")?;
    }
    write("uid_map", &lines(&ids.uid_map))?;
    write("gid_map", &lines(&ids.gid_map))
}

/// Waits for `pid` to end.
fn wait(pid: Pid) -> Result<WaitStatus, Errno> {
    loop {
        match waitpid(pid, None) {
            Err(Errno::EINTR) => continue,
            other => return other,
        }
    }
}

/// Writes the report, readable by this user only.
fn write_report(spec: &HelperSpec, report: &HelperReport) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&spec.report)?;
    file.write_all(&serde_json::to_vec(report).expect("reports serialize"))
}

/// Ends this process the way the confined program ended.
fn end_like(exit: Exit) -> ! {
    match exit {
        Exit::Code(code) => std::process::exit(code),
        Exit::Signal(number) => {
            if let Ok(signal) = Signal::try_from(number) {
                let _ = sys::restore_default(signal);
                let _ = nix::sys::signal::sigprocmask(
                    nix::sys::signal::SigmaskHow::SIG_UNBLOCK,
                    Some(&nix::sys::signal::SigSet::from(signal)),
                    None,
                );
                let _ = nix::sys::signal::raise(signal);
            }
            // A signal whose default is not to end the process: say so the shell's way.
            std::process::exit(128 + number)
        }
    }
}
