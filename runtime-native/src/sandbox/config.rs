//! The sandbox's settings, and the resource limits of native executions.
//!
//! Limits work like the WebAssembly ones: the server sets defaults and caps, an action's
//! own `limits` may ask for other values, and anything above a cap is clamped to it.

use std::path::PathBuf;

use attune_runtime_api::RequestedLimits;
use serde::{Deserialize, Serialize};

/// How native actions, sensors and environment builds are confined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxConfig {
    /// Confine every native process (the default). Turning it off lets native actions do
    /// whatever the server's user may do: read its database and keys, signal it.
    pub enabled: bool,
    /// The `attune-sandbox` helper. Default: beside the running executable, else on `PATH`.
    pub helper: Option<PathBuf>,
    /// The user confined processes run as when the server runs as root: a name, a uid, or
    /// `uid:gid`. Default `nobody`. Ignored otherwise (a user namespace maps the sandbox's
    /// user onto the server's).
    pub run_as: Option<String>,
    /// Limits of each execution.
    pub limits: NativeLimitPolicy,
    /// System directories visible read-only (those that do not exist are skipped).
    pub system_paths: Vec<PathBuf>,
    /// Host directories every confined process may read and write: shared by all
    /// executions of all packs, so only for data each of them may see and change (a spool
    /// directory). None by default.
    pub writable_paths: Vec<PathBuf>,
    /// Never visible, even beneath a visible directory: the data directory, the
    /// configuration file, caches. The server adds its own.
    pub hidden_paths: Vec<PathBuf>,
    /// Milliseconds between two measurements of a tree's memory and process count.
    pub watch_interval_ms: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            helper: None,
            run_as: None,
            limits: NativeLimitPolicy::default(),
            system_paths: [
                "/usr",
                "/bin",
                "/sbin",
                "/lib",
                "/lib32",
                "/lib64",
                "/libx32",
                "/etc",
                "/run/systemd/resolve",
            ]
            .into_iter()
            .map(PathBuf::from)
            .collect(),
            writable_paths: Vec::new(),
            hidden_paths: Vec::new(),
            watch_interval_ms: 20,
        }
    }
}

/// The limits of one native execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NativeLimits {
    /// Anonymous memory of the process tree, MiB.
    pub memory_mb: u64,
    /// Processes and threads of the tree.
    pub processes: u64,
    /// Open files per process.
    pub open_files: u64,
    /// CPU seconds per process; `None` leaves only the wall-clock timeout.
    pub cpu_s: Option<u64>,
    /// Size of the private temporary directory (`/tmp`, also `HOME`), MiB.
    pub tmp_mb: u64,
}

/// Defaults and caps, from the server's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NativeLimitPolicy {
    /// Used when the action does not ask.
    pub defaults: NativeLimits,
    /// Never exceeded, whatever the action asks.
    pub caps: NativeLimits,
}

impl Default for NativeLimitPolicy {
    fn default() -> Self {
        Self {
            defaults: NativeLimits { memory_mb: 512, processes: 256, open_files: 1024, cpu_s: None, tmp_mb: 64 },
            caps: NativeLimits { memory_mb: 8192, processes: 4096, open_files: 65_536, cpu_s: None, tmp_mb: 4096 },
        }
    }
}

impl NativeLimitPolicy {
    /// The limits for an action asking for `requested`.
    pub fn resolve(&self, requested: &RequestedLimits) -> NativeLimits {
        let (d, c) = (&self.defaults, &self.caps);
        let cpu_s = match (requested.cpu_s.or(d.cpu_s), c.cpu_s) {
            (Some(asked), Some(cap)) => Some(asked.min(cap)),
            (asked, cap) => asked.or(cap),
        };
        NativeLimits {
            memory_mb: requested.memory_mb.unwrap_or(d.memory_mb).min(c.memory_mb),
            processes: requested.processes.unwrap_or(d.processes).min(c.processes),
            open_files: requested.open_files.unwrap_or(d.open_files).min(c.open_files),
            cpu_s,
            tmp_mb: requested.tmp_mb.unwrap_or(d.tmp_mb).min(c.tmp_mb),
        }
    }

    /// The limits of an environment build (pip, npm): the caps, which installers need more
    /// than actions do.
    pub fn for_builds(&self) -> NativeLimits {
        self.caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_may_lower_but_not_exceed_the_caps() {
        let policy = NativeLimitPolicy::default();
        assert_eq!(policy.resolve(&RequestedLimits::default()), policy.defaults);
        let asked = RequestedLimits {
            memory_mb: Some(64),
            processes: Some(1_000_000),
            open_files: Some(16),
            cpu_s: Some(5),
            tmp_mb: Some(1 << 40),
            ..RequestedLimits::default()
        };
        let limits = policy.resolve(&asked);
        assert_eq!(limits.memory_mb, 64);
        assert_eq!(limits.processes, policy.caps.processes);
        assert_eq!(limits.open_files, 16);
        assert_eq!(limits.cpu_s, Some(5));
        assert_eq!(limits.tmp_mb, policy.caps.tmp_mb);
    }

    #[test]
    fn a_cpu_cap_applies_to_actions_that_ask_for_nothing() {
        let mut policy = NativeLimitPolicy::default();
        policy.caps.cpu_s = Some(30);
        assert_eq!(policy.resolve(&RequestedLimits::default()).cpu_s, Some(30));
        assert_eq!(policy.resolve(&RequestedLimits { cpu_s: Some(60), ..Default::default() }).cpu_s, Some(30));
    }
}
