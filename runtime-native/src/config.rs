//! Settings of the native runtimes, as the worker reads them from its configuration.
//!
//! Every field has a default that works on a machine with `bash`, `python3`, `node` and
//! `npm` on the worker's `PATH`; an unknown key is an error rather than a silently ignored
//! setting.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sandbox::SandboxConfig;

/// How the native runtimes start actions and where they build pack environments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NativeConfig {
    /// Per-pack environments live in `<runtime_envs_dir>/<pack>/python` (a virtualenv) and
    /// `<runtime_envs_dir>/<pack>/node` (a `node_modules` tree). Default `./.attune/envs`.
    pub runtime_envs_dir: PathBuf,
    /// Milliseconds between SIGTERM and SIGKILL when an action is stopped (timeout,
    /// cancellation, output limit). Default 5000.
    pub grace_period_ms: u64,
    /// Seconds one environment build (venv creation plus `pip install`, or `npm install`)
    /// may take before it is stopped and the execution fails. Default 900.
    pub setup_timeout_s: u64,
    /// The programs used to run actions and build environments.
    pub interpreters: Interpreters,
    /// `PATH` given to actions (the pack environment's `bin` directory is put in front).
    /// Default: the worker's own `PATH`.
    pub path: Option<String>,
    /// `HOME` given to actions when the sandbox is off (confined processes get their
    /// private `/tmp`). Default: the worker's own `HOME`.
    pub home: Option<PathBuf>,
    /// `LANG` given to actions. Default `C.UTF-8`, so that interpreters read and write UTF-8.
    pub lang: String,
    /// How native processes are confined, and their limits.
    pub sandbox: SandboxConfig,
}

impl Default for NativeConfig {
    fn default() -> Self {
        Self {
            runtime_envs_dir: PathBuf::from("./.attune/envs"),
            grace_period_ms: 5000,
            setup_timeout_s: 900,
            interpreters: Interpreters::default(),
            path: None,
            home: None,
            lang: "C.UTF-8".into(),
            sandbox: SandboxConfig::default(),
        }
    }
}

impl NativeConfig {
    /// Defaults, with environments under `runtime_envs_dir`.
    pub fn with_envs_dir(runtime_envs_dir: impl Into<PathBuf>) -> Self {
        Self { runtime_envs_dir: runtime_envs_dir.into(), ..Self::default() }
    }

    /// Time between SIGTERM and SIGKILL.
    pub fn grace_period(&self) -> Duration {
        Duration::from_millis(self.grace_period_ms)
    }

    /// Longest time one environment build may take.
    pub fn setup_timeout(&self) -> Duration {
        Duration::from_secs(self.setup_timeout_s)
    }
}

/// The interpreters and package tools. A bare name is looked up on the worker's `PATH`
/// once; a path containing `/` is used as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Interpreters {
    /// Runs shell actions. Default `bash`.
    pub bash: PathBuf,
    /// Runs Python actions of packs without `requirements.txt` and creates virtualenvs.
    /// Default `python3`.
    pub python3: PathBuf,
    /// Runs Node.js actions. Default `node`.
    pub node: PathBuf,
    /// Installs `package.json` dependencies. Default `npm`.
    pub npm: PathBuf,
}

impl Default for Interpreters {
    fn default() -> Self {
        Self { bash: "bash".into(), python3: "python3".into(), node: "node".into(), npm: "npm".into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_config_keeps_defaults_and_unknown_keys_fail() {
        let config: NativeConfig =
            serde_yaml_ng::from_str("grace_period_ms: 200\ninterpreters: {node: /opt/node}\n").unwrap();
        assert_eq!(config.grace_period(), Duration::from_millis(200));
        assert_eq!(config.interpreters.node, PathBuf::from("/opt/node"));
        assert_eq!(config.interpreters.bash, PathBuf::from("bash"));
        assert_eq!(config.lang, "C.UTF-8");

        let typo = serde_yaml_ng::from_str::<NativeConfig>("grace_period: 200\n").unwrap_err();
        assert!(typo.to_string().contains("unknown field `grace_period`"), "{typo}");
    }
}
