//! Building the view: an empty in-memory root, the planned steps applied to it in order,
//! then `pivot_root` into it and the host's tree detached.
//!
//! Bind sources are opened (as `O_PATH` descriptors) before anything is mounted, and bound
//! through `/proc/self/fd/N`: the new root is mounted over `/tmp`, which may be where a
//! source lives, and a descriptor names a file whatever is mounted over its path later.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{OFlag, open};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sys::stat::{Mode, SFlag, fstat};

use super::sys;
use crate::sandbox::spec::MountOp;

/// Where the new root is assembled before `pivot_root` (inside this mount namespace only).
const NEW_ROOT: &str = "/tmp";

/// Where the host's tree is put aside, inside the new root, before it is detached.
const OLD_ROOT: &str = ".attune-old-root";

/// Builds the view described by `steps` and makes it this process's root.
pub fn build(steps: &[MountOp]) -> Result<(), String> {
    mount(None::<&str>, "/", None::<&str>, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None::<&str>)
        .map_err(|e| format!("cannot make the sandbox's mounts private: {e}"))?;
    let sources = steps.iter().map(open_source).collect::<Result<Vec<_>, _>>()?;
    let null = open_path(Path::new("/dev/null"))?;
    let root = Path::new(NEW_ROOT);
    mount(Some("tmpfs"), root, Some("tmpfs"), MsFlags::MS_NOSUID | MsFlags::MS_NODEV, Some("mode=0755,size=1m"))
        .map_err(|e| format!("cannot mount the sandbox's root on {NEW_ROOT}: {e}"))?;

    let mut masks = Vec::new();
    for (step, source) in steps.iter().zip(&sources) {
        let target = inside(root, step.target());
        let failed = |what: &str, error: &dyn std::fmt::Display| {
            format!("cannot {what} {} in the sandbox: {error}", step.target().display())
        };
        match step {
            MountOp::Bind { writable, device, .. } => {
                let source = source.as_ref().expect("every bind has its source open");
                let is_dir = fstat(source).map(|s| s.st_mode & SFlag::S_IFMT.bits() == SFlag::S_IFDIR.bits());
                let is_dir = is_dir.map_err(|e| failed("inspect the source of", &e))?;
                mount_point(&target, is_dir).map_err(|e| failed("create", &e))?;
                bind(source, &target).map_err(|e| failed("bind", &e))?;
                let mut attributes = libc::MOUNT_ATTR_NOSUID;
                if !writable {
                    attributes |= libc::MOUNT_ATTR_RDONLY;
                }
                if !device {
                    attributes |= libc::MOUNT_ATTR_NODEV;
                }
                sys::mount_setattr(&target, attributes, true).map_err(|e| failed("restrict", &e))?;
            }
            MountOp::Symlink { points_to, .. } => {
                parent_dirs(&target).map_err(|e| failed("create", &e))?;
                std::os::unix::fs::symlink(points_to, &target).map_err(|e| failed("link", &e))?;
            }
            MountOp::Tmpfs { size_bytes, .. } => {
                mount_point(&target, true).map_err(|e| failed("create", &e))?;
                let options = format!("mode=1777,size={}", (*size_bytes).max(4096));
                let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
                mount(Some("tmpfs"), &target, Some("tmpfs"), flags, Some(options.as_str()))
                    .map_err(|e| failed("mount a temporary directory on", &e))?;
            }
            MountOp::Proc { .. } => {
                mount_point(&target, true).map_err(|e| failed("create", &e))?;
                let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
                mount(Some("proc"), &target, Some("proc"), flags, None::<&str>)
                    .map_err(|e| failed("mount the process table on", &e))?;
            }
            MountOp::Mask { .. } => {
                match std::fs::symlink_metadata(&target) {
                    Ok(meta) if meta.is_dir() => {
                        let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
                        mount(Some("tmpfs"), &target, Some("tmpfs"), flags, Some("mode=0755,size=64k"))
                            .map_err(|e| failed("hide", &e))?;
                    }
                    Ok(_) => bind(&null, &target).map_err(|e| failed("hide", &e))?,
                    // Not visible after all (beneath a link): nothing to hide.
                    Err(_) => continue,
                }
                masks.push(step.target().to_path_buf());
            }
        }
    }
    drop(sources);
    drop(null);
    enter(root)?;
    // Sealed once everything beneath them is in place: the root skeleton and the masks.
    for path in std::iter::once(PathBuf::from("/")).chain(masks) {
        sys::mount_setattr(&path, libc::MOUNT_ATTR_RDONLY, false)
            .map_err(|e| format!("cannot make {} read-only in the sandbox: {e}", path.display()))?;
    }
    Ok(())
}

/// Makes `root` this process's root and detaches the host's tree.
fn enter(root: &Path) -> Result<(), String> {
    let old = root.join(OLD_ROOT);
    std::fs::create_dir(&old).map_err(|e| format!("cannot prepare the sandbox's root: {e}"))?;
    nix::unistd::pivot_root(root, &old).map_err(|e| format!("cannot enter the sandbox's root: {e}"))?;
    nix::unistd::chdir("/").map_err(|e| format!("cannot enter the sandbox's root: {e}"))?;
    let old = Path::new("/").join(OLD_ROOT);
    umount2(&old, MntFlags::MNT_DETACH).map_err(|e| format!("cannot detach the host's filesystem: {e}"))?;
    std::fs::remove_dir(&old).map_err(|e| format!("cannot remove the host's mount point: {e}"))
}

/// The descriptor a step binds from, for binds.
fn open_source(step: &MountOp) -> Result<Option<OwnedFd>, String> {
    match step {
        MountOp::Bind { source, .. } => open_path(source).map(Some),
        _ => Ok(None),
    }
}

fn open_path(path: &Path) -> Result<OwnedFd, String> {
    open(path, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty())
        .map_err(|e| format!("cannot open {} for the sandbox: {e}", path.display()))
}

/// Binds what `source` names onto `target`, with everything mounted beneath it.
fn bind(source: &OwnedFd, target: &Path) -> nix::Result<()> {
    let from = format!("/proc/self/fd/{}", source.as_raw_fd());
    mount(Some(from.as_str()), target, None::<&str>, MsFlags::MS_BIND | MsFlags::MS_REC, None::<&str>)
}

/// `path` beneath the new root.
fn inside(root: &Path, path: &Path) -> PathBuf {
    root.join(path.strip_prefix("/").unwrap_or(path))
}

/// Creates what a mount needs at `target`: a directory, or an empty file, and its parents.
/// Something already there (inside a bound directory) is used as it is.
fn mount_point(target: &Path, directory: bool) -> std::io::Result<()> {
    if std::fs::symlink_metadata(target).is_ok() {
        return Ok(());
    }
    parent_dirs(target)?;
    if directory {
        std::fs::DirBuilder::new().mode(0o755).create(target)
    } else {
        std::fs::File::create(target).map(drop)
    }
}

fn parent_dirs(target: &Path) -> std::io::Result<()> {
    match target.parent() {
        Some(parent) => std::fs::DirBuilder::new().recursive(true).mode(0o755).create(parent),
        None => Ok(()),
    }
}
