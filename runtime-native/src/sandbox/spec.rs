//! What the worker hands the helper (one JSON document, its first argument) and what the
//! helper hands back (a report file).
//!
//! Nothing here is secret: paths, identities and limits. Secrets reach the confined process
//! on its stdin, which the helper passes through untouched.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Everything the helper needs to start one confined process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelperSpec {
    /// How the sandbox's user namespace maps onto the host's users.
    pub ids: IdentityMap,
    /// The filesystem the process sees, built in this order on an empty root.
    pub view: Vec<MountOp>,
    /// What Landlock lets the process do, path by path (paths inside the view).
    pub landlock: Vec<LandlockRule>,
    /// Resource limits.
    pub limits: ProcessLimits,
    /// Working directory, inside the view.
    pub cwd: PathBuf,
    /// The program (absolute, inside the view).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// The file the helper writes its [`HelperReport`] into. Outside the view.
    pub report: PathBuf,
    /// Set up everything, report what Landlock enforced, and start nothing.
    #[serde(default)]
    pub probe: bool,
    /// Collect the files the process leaves in an artifacts directory (actions only).
    #[serde(default)]
    pub artifacts: Option<ArtifactCollection>,
}

/// Where a confined action leaves its artifacts, and how much of them is read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactCollection {
    /// The directory, inside the view (in its temporary space); created for the process.
    pub dir: PathBuf,
    /// Most bytes collected in all.
    pub max_bytes: u64,
}

/// The user namespace's id maps and the ids the process runs as inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityMap {
    /// Lines of `/proc/<pid>/uid_map`.
    pub uid_map: Vec<IdRange>,
    /// Lines of `/proc/<pid>/gid_map`.
    pub gid_map: Vec<IdRange>,
    /// Write `deny` to `/proc/<pid>/setgroups` first (required of an unprivileged writer).
    pub deny_setgroups: bool,
    /// Drop every supplementary group before starting the process (a root server's groups
    /// must not follow the process).
    pub clear_groups: bool,
    /// The user id the process runs as, inside the namespace.
    pub uid: u32,
    /// The group id the process runs as, inside the namespace.
    pub gid: u32,
}

/// One line of an id map: `count` ids from `inside` map to ids from `outside`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdRange {
    /// First id inside the namespace.
    pub inside: u32,
    /// First id on the host.
    pub outside: u32,
    /// How many.
    pub count: u32,
}

/// One step of building the view. Targets are absolute paths inside the view; parent
/// directories are created as needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MountOp {
    /// The host's `source` (a directory or file) appears at `target`, read-only unless
    /// `writable`, without set-user-id; device files stay usable only where `device`.
    Bind {
        /// Host path.
        source: PathBuf,
        /// Path in the view.
        target: PathBuf,
        /// Writable (an environment being built).
        writable: bool,
        /// A device node (`/dev/null`...).
        device: bool,
    },
    /// A symbolic link at `target` pointing to `points_to` (`/bin` → `usr/bin`).
    Symlink {
        /// Path in the view.
        target: PathBuf,
        /// The link's contents.
        points_to: PathBuf,
    },
    /// A private, size-limited, writable in-memory directory (the temporary directory).
    Tmpfs {
        /// Path in the view.
        target: PathBuf,
        /// Largest size, in bytes.
        size_bytes: u64,
    },
    /// The process table of the sandbox's own PID namespace.
    Proc {
        /// Path in the view.
        target: PathBuf,
    },
    /// Hides what an earlier bind made visible at `target`: an empty read-only directory,
    /// or an empty file.
    Mask {
        /// Path in the view.
        target: PathBuf,
    },
}

impl MountOp {
    /// Where in the view this step acts.
    pub fn target(&self) -> &std::path::Path {
        match self {
            MountOp::Bind { target, .. }
            | MountOp::Symlink { target, .. }
            | MountOp::Tmpfs { target, .. }
            | MountOp::Proc { target }
            | MountOp::Mask { target } => target,
        }
    }
}

/// What Landlock allows beneath one path of the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandlockRule {
    /// The path (a directory covers everything beneath it).
    pub path: PathBuf,
    /// What is allowed there.
    pub access: Access,
}

/// Kinds of access a Landlock rule grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// List directories only.
    ListDirectories,
    /// Read and execute files, list directories.
    Read,
    /// Everything: read, write, create, remove.
    Write,
}

/// The limits one confined process tree runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessLimits {
    /// Anonymous memory of the whole tree, in bytes; also each process's data segment
    /// limit (with headroom, see the helper).
    pub memory_bytes: u64,
    /// Processes and threads of the tree.
    pub processes: u64,
    /// Open files per process.
    pub open_files: u64,
    /// CPU seconds per process, when limited.
    pub cpu_s: Option<u64>,
    /// Milliseconds between two measurements of the tree's memory and process count.
    pub watch_interval_ms: u64,
    /// Milliseconds the tree's other processes get after the main one exits, between
    /// SIGTERM and SIGKILL.
    pub grace_ms: u64,
}

/// What the helper reports once the confined process tree has ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperReport {
    /// The sandbox could not be set up (or the program not started): why. Nothing of the
    /// program ran.
    pub setup_error: Option<String>,
    /// A limit the tree reached, which ended it.
    pub limit: Option<LimitReached>,
    /// Largest memory seen: the tree's anonymous memory as measured, or the largest
    /// resident set of one of its processes, whichever is larger.
    pub peak_memory_bytes: u64,
    /// CPU time (user and system) of every process of the tree.
    pub cpu_ms: u64,
    /// Probe runs: what Landlock enforced.
    pub landlock: Option<LandlockReport>,
    /// What the process left in its artifacts directory, when one was asked for.
    #[serde(default)]
    pub artifacts: Option<crate::artifacts::Collection>,
}

/// The limit that ended a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitReached {
    /// Anonymous memory of the tree.
    Memory,
    /// Processes and threads of the tree.
    Processes,
    /// CPU time of one process.
    Cpu,
}

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitReached::Memory => "memory",
            LimitReached::Processes => "process",
            LimitReached::Cpu => "CPU time",
        })
    }
}

/// What Landlock enforced on a probe run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandlockReport {
    /// The ABI version used (the kernel's, up to the newest this build knows).
    pub abi: u32,
    /// `fully_enforced` or `partially_enforced`.
    pub status: String,
}
