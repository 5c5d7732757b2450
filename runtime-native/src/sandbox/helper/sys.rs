//! The system calls the helper makes that have no safe wrapper: `clone` with namespace
//! flags, `fork`, `mount_setattr`, `close_range` and installing a signal handler.
//!
//! The helper is single-threaded from start to `exec`, which is what makes `fork`-like
//! calls sound here: no other thread can hold a lock the child would inherit.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::Pid;

/// Which side of a `clone` or `fork` this is.
pub enum Side {
    /// The new process.
    Child,
    /// The caller, with the new process's pid.
    Parent(Pid),
}

/// Starts a copy of this process in new user, mount, PID and IPC namespaces: the copy is
/// the first process (PID 1) of its PID namespace and holds every capability in its user
/// namespace, none outside it.
pub fn clone_into_namespaces() -> io::Result<Side> {
    let flags = libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::CLONE_NEWIPC;
    // SAFETY: with no stack given, clone behaves like fork (the child runs on a copy of
    // this stack); the process is single-threaded, so the child's copy of memory holds no
    // lock another thread had taken. The arguments (flags, stack, parent tid, child tid,
    // tls) are in the order of x86_64 and aarch64.
    let pid = unsafe { libc::syscall(libc::SYS_clone, libc::c_long::from(flags | libc::SIGCHLD), 0, 0, 0, 0) };
    match pid {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Side::Child),
        pid => Ok(Side::Parent(Pid::from_raw(pid as libc::pid_t))),
    }
}

/// `fork`.
pub fn fork() -> io::Result<Side> {
    // SAFETY: the process is single-threaded (see the module comment).
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => Ok(Side::Child),
        Ok(nix::unistd::ForkResult::Parent { child }) => Ok(Side::Parent(child)),
        Err(errno) => Err(errno.into()),
    }
}

/// Sets mount attributes (`libc::MOUNT_ATTR_*`) on the mount at `path`, and on every mount
/// beneath it when `recursive`.
pub fn mount_setattr(path: &Path, attributes: u64, recursive: bool) -> io::Result<()> {
    let path = CString::new(path.as_os_str().as_bytes())?;
    let attr = libc::mount_attr { attr_set: attributes, attr_clr: 0, propagation: 0, userns_fd: 0 };
    let flags = if recursive { libc::AT_RECURSIVE } else { 0 } | libc::AT_SYMLINK_NOFOLLOW;
    // SAFETY: `path` is a NUL-terminated string and `attr` a live mount_attr whose size
    // is passed along; the kernel only reads both.
    let result = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            flags,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        )
    };
    if result == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Closes every descriptor above stderr: nothing the worker had open may reach the
/// confined process.
pub fn close_inherited_descriptors() -> io::Result<()> {
    // SAFETY: close_range only closes descriptors; none above 2 is in use by this
    // process yet (nothing has been opened before this call).
    let result = unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) };
    if result == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Installs a handler that does nothing for `signals`: the signal interrupts a blocking
/// call instead of ending the process (and, for the first process of a PID namespace, is
/// delivered at all). Handlers are reset by `exec`; an ignored signal would not be.
pub fn catch(signals: &[Signal]) -> io::Result<()> {
    let action = SigAction::new(SigHandler::Handler(ignore_signal), SaFlags::empty(), SigSet::empty());
    for &signal in signals {
        // SAFETY: the handler is async-signal-safe (it does nothing).
        unsafe { nix::sys::signal::sigaction(signal, &action) }?;
    }
    Ok(())
}

/// Restores the default action of `signal`.
pub fn restore_default(signal: Signal) -> io::Result<()> {
    let action = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: installing the default disposition runs no code of ours.
    unsafe { nix::sys::signal::sigaction(signal, &action) }?;
    Ok(())
}

/// Ends this process at once, without running exit handlers: the way a forked child that
/// shares its parent's buffers must end.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit only ends the process.
    unsafe { libc::_exit(code) }
}
