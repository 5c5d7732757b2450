//! [`Sandbox`]: turns the description of a process into the launch of that process through
//! the helper, and checks at start-up that this host can confine processes at all.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use attune_runtime_api::NullSink;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::SandboxError;
use super::config::{NativeLimits, SandboxConfig};
use super::identity::RunAs;
use super::spec::{ArtifactCollection, HelperReport, HelperSpec, ProcessLimits};
use super::view::{self, Exposure};
use crate::process::{self, ProcessSpec, SupervisionPolicy};
use crate::toolchain::find_executable;

/// The helper's file name.
pub const HELPER_NAME: &str = "attune-sandbox";

/// How long the start-up probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// Confines native processes, or (turned off) passes them through unchanged.
#[derive(Clone)]
pub struct Sandbox {
    mode: Mode,
}

#[derive(Clone)]
enum Mode {
    Off,
    On(Arc<Armed>),
    Broken(SandboxError),
}

/// A working sandbox's settings, resolved once.
struct Armed {
    helper: PathBuf,
    run_as: RunAs,
    config: SandboxConfig,
    grace: Duration,
    reports: tempfile::TempDir,
    next_report: AtomicU64,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.mode {
            Mode::Off => f.write_str("Sandbox(off)"),
            Mode::On(armed) => write!(f, "Sandbox({} as {})", armed.helper.display(), armed.run_as.describe()),
            Mode::Broken(error) => write!(f, "Sandbox(broken: {error})"),
        }
    }
}

/// What the sandbox is, as found at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SandboxStatus {
    /// Native processes run unconfined.
    Off,
    /// Native processes are confined.
    On {
        /// Whom they run as.
        run_as: String,
        /// The Landlock ABI version in use.
        landlock_abi: u32,
        /// `fully_enforced` or `partially_enforced`.
        landlock: String,
    },
}

impl SandboxStatus {
    /// One line for the log.
    pub fn describe(&self) -> String {
        match self {
            SandboxStatus::Off => "off: native actions run UNCONFINED, with the server's user and access".into(),
            SandboxStatus::On { run_as, landlock_abi, landlock } => format!(
                "on: native actions run as {run_as}, in their own user, PID and mount namespaces, \
                 Landlock ABI {landlock_abi} ({})",
                landlock.replace('_', " ")
            ),
        }
    }
}

/// A process ready to be started through the helper, and the report it will leave.
#[derive(Debug)]
pub struct Confined {
    /// What to spawn.
    pub spec: ProcessSpec,
    /// Where the helper will say how the process ended.
    pub report: PendingReport,
    /// Where the process's artifacts will be found.
    pub artifacts: ArtifactSource,
}

/// Where the artifacts of a confined action are found once it has ended.
#[derive(Debug)]
pub enum ArtifactSource {
    /// Nowhere: not an action, or nothing asked.
    None,
    /// In the helper's report (the sandbox collected them).
    Report,
    /// In this host directory (the sandbox is off), up to this many bytes; removed when
    /// dropped.
    Host(tempfile::TempDir, u64),
}

impl ArtifactSource {
    /// What the ended process left as artifacts, given the helper's `report`.
    pub fn collect(&self, report: Option<&HelperReport>) -> crate::artifacts::Collection {
        match self {
            ArtifactSource::None => crate::artifacts::Collection::default(),
            ArtifactSource::Report => report.and_then(|r| r.artifacts.clone()).unwrap_or_default(),
            ArtifactSource::Host(dir, max_bytes) => crate::artifacts::collect(dir.path(), *max_bytes),
        }
    }
}

/// The report a confined process will leave; its file is removed when this is dropped.
#[derive(Debug)]
pub struct PendingReport(Option<PathBuf>);

impl PendingReport {
    /// What the helper reported once the process ended; `None` when the sandbox is off or
    /// the helper left no report (it was killed).
    pub fn read(&self) -> Option<HelperReport> {
        let path = self.0.as_ref()?;
        let text = std::fs::read(path).ok()?;
        match serde_json::from_slice(&text) {
            Ok(report) => Some(report),
            Err(error) => {
                tracing::warn!(report = %path.display(), %error, "unreadable sandbox report");
                None
            }
        }
    }
}

impl Drop for PendingReport {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Sandbox {
    /// The sandbox `config` describes; `grace` is the time a tree's other processes get
    /// after its main one exits. Problems (no helper, an unknown user) are kept and
    /// returned by every [`Sandbox::confine`] and by [`Sandbox::probe`].
    pub fn new(config: &SandboxConfig, grace: Duration) -> Self {
        if !config.enabled {
            return Self { mode: Mode::Off };
        }
        let armed = || -> Result<Armed, SandboxError> {
            let helper = locate_helper(config.helper.as_deref())?;
            let run_as = RunAs::resolve(
                config.run_as.as_deref(),
                nix::unistd::geteuid().as_raw(),
                nix::unistd::getegid().as_raw(),
            )?;
            let reports = tempfile::Builder::new()
                .prefix("attune-sandbox-")
                .tempdir()
                .map_err(|e| SandboxError::Reports(e.to_string()))?;
            Ok(Armed { helper, run_as, config: config.clone(), grace, reports, next_report: AtomicU64::new(0) })
        };
        Self { mode: armed().map_or_else(Mode::Broken, |armed| Mode::On(Arc::new(armed))) }
    }

    /// True unless turned off in the configuration.
    pub fn is_enabled(&self) -> bool {
        !matches!(self.mode, Mode::Off)
    }

    /// `spec` started inside the sandbox, seeing the system directories and `exposure`,
    /// under `limits`. With the sandbox off, `spec` itself.
    pub fn confine(
        &self,
        spec: ProcessSpec,
        exposure: &Exposure,
        limits: &NativeLimits,
    ) -> Result<Confined, SandboxError> {
        let armed = match &self.mode {
            Mode::Off => return Ok(Confined { spec, report: PendingReport(None), artifacts: ArtifactSource::None }),
            Mode::On(armed) => armed,
            Mode::Broken(error) => return Err(error.clone()),
        };
        armed.confine(spec, exposure, limits, false, None)
    }

    /// As [`Sandbox::confine`], for an action that may leave up to `artifact_bytes` of
    /// artifacts in the directory `ATTUNE_ARTIFACTS_DIR` names (see [`crate::artifacts`]).
    pub fn confine_action(
        &self,
        mut spec: ProcessSpec,
        exposure: &Exposure,
        limits: &NativeLimits,
        artifact_bytes: u64,
    ) -> Result<Confined, SandboxError> {
        let armed = match &self.mode {
            Mode::Off => {
                let dir = tempfile::Builder::new()
                    .prefix("attune-artifacts-")
                    .tempdir()
                    .map_err(|e| SandboxError::Reports(format!("cannot create an artifacts directory: {e}")))?;
                spec.env.push((crate::artifacts::VARIABLE.into(), dir.path().into()));
                let artifacts = ArtifactSource::Host(dir, artifact_bytes);
                return Ok(Confined { spec, report: PendingReport(None), artifacts });
            }
            Mode::On(armed) => armed,
            Mode::Broken(error) => return Err(error.clone()),
        };
        spec.env.push((crate::artifacts::VARIABLE.into(), crate::artifacts::SANDBOX_DIR.into()));
        let collection = ArtifactCollection { dir: crate::artifacts::SANDBOX_DIR.into(), max_bytes: artifact_bytes };
        armed.confine(spec, exposure, limits, false, Some(collection))
    }

    /// Confines a trivial process once, to find out whether (and how) this host confines
    /// processes: run at start-up, so that a host without user namespaces or Landlock is
    /// reported before any action runs.
    pub async fn probe(&self) -> Result<SandboxStatus, SandboxError> {
        let armed = match &self.mode {
            Mode::Off => return Ok(SandboxStatus::Off),
            Mode::On(armed) => armed,
            Mode::Broken(error) => return Err(error.clone()),
        };
        let spec = ProcessSpec { program: "/bin/true".into(), cwd: "/".into(), ..ProcessSpec::default() };
        let limits = armed.config.limits.defaults;
        let policy =
            SupervisionPolicy { timeout: Some(PROBE_TIMEOUT), grace_period: armed.grace, output_limit: Some(64 << 10) };
        let Confined { spec, report, .. } = armed.confine(spec, &Exposure::default(), &limits, true, None)?;
        let run = process::run(spec, &policy, Arc::new(NullSink), &CancellationToken::new())
            .await
            .map_err(|e| SandboxError::Unavailable(format!("cannot start {}: {e}", armed.helper.display())))?;
        let report = report.read();
        if let Some(problem) = report.as_ref().and_then(|r| r.setup_error.clone()) {
            return Err(SandboxError::Unavailable(problem));
        }
        match report.and_then(|r| r.landlock) {
            Some(landlock) => Ok(SandboxStatus::On {
                run_as: armed.run_as.describe(),
                landlock_abi: landlock.abi,
                landlock: landlock.status,
            }),
            None => Err(SandboxError::Unavailable(format!(
                "the sandbox helper ended without a report ({:?}): {}",
                run.exit_status,
                run.stderr.text.trim()
            ))),
        }
    }

    /// Makes `dir` (about to be exposed writable) writable by the sandbox's user: a root
    /// server's confined processes are another user.
    pub fn hand_over(&self, dir: &Path) -> std::io::Result<()> {
        let Mode::On(armed) = &self.mode else { return Ok(()) };
        let RunAs::User { uid, gid, .. } = armed.run_as else { return Ok(()) };
        chown_tree(dir, uid, gid)
    }
}

impl Armed {
    fn confine(
        &self,
        spec: ProcessSpec,
        exposure: &Exposure,
        limits: &NativeLimits,
        probe: bool,
        artifacts: Option<ArtifactCollection>,
    ) -> Result<Confined, SandboxError> {
        let mut exposure = exposure.clone();
        exposure.writable.extend(self.config.writable_paths.iter().cloned());
        let plan = view::plan(&self.config.system_paths, &exposure, &self.config.hidden_paths, limits.tmp_mb << 20)?;
        let text = |value: &std::ffi::OsStr| {
            value.to_str().map(str::to_owned).ok_or_else(|| SandboxError::Path {
                path: PathBuf::from(value),
                reason: "is not valid UTF-8, which the sandbox requires of programs and arguments".into(),
            })
        };
        let report = self.reports.path().join(format!("{}.json", self.next_report.fetch_add(1, Ordering::Relaxed)));
        let helper_spec = HelperSpec {
            ids: self.run_as.identity_map(),
            view: plan.mounts,
            landlock: plan.landlock,
            limits: ProcessLimits {
                memory_bytes: limits.memory_mb << 20,
                processes: limits.processes,
                open_files: limits.open_files,
                cpu_s: limits.cpu_s,
                watch_interval_ms: self.config.watch_interval_ms.max(1),
                grace_ms: u64::try_from(self.grace.as_millis()).unwrap_or(u64::MAX),
            },
            cwd: view::normalized(&spec.cwd),
            program: spec.program.clone(),
            args: spec.args.iter().map(|arg| text(arg)).collect::<Result<_, _>>()?,
            report: report.clone(),
            probe,
            artifacts: artifacts.clone(),
        };
        let document = serde_json::to_string(&helper_spec).expect("the helper spec serializes");
        // The sandbox's home is its private temporary directory.
        let env = spec
            .env
            .into_iter()
            .map(|(name, value)| if name == "HOME" { (name, OsString::from("/tmp")) } else { (name, value) })
            .collect();
        let launch = ProcessSpec {
            program: self.helper.clone(),
            args: vec![document.into()],
            env,
            cwd: PathBuf::from("/"),
            stdin: spec.stdin,
        };
        let artifacts = if artifacts.is_some() { ArtifactSource::Report } else { ArtifactSource::None };
        Ok(Confined { spec: launch, report: PendingReport(Some(report)), artifacts })
    }
}

/// The configured helper, else `attune-sandbox` beside the running executable (or, for
/// test and bench executables, which cargo puts in `target/<profile>/deps`, one level up),
/// else on `PATH`.
fn locate_helper(configured: Option<&Path>) -> Result<PathBuf, SandboxError> {
    if let Some(path) = configured {
        return match find_executable(path, "".as_ref()) {
            Some(found) => Ok(found),
            None => Err(SandboxError::HelperNotFound { searched: format!("configured as {}", path.display()) }),
        };
    }
    let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf));
    let mut searched = Vec::new();
    if let Some(dir) = exe_dir {
        let beside = dir.join(HELPER_NAME);
        if find_executable(&beside, "".as_ref()).is_some() {
            return Ok(beside);
        }
        searched.push(dir.display().to_string());
        if dir.file_name().is_some_and(|name| name == "deps")
            && let Some(profile) = dir.parent()
        {
            let above = profile.join(HELPER_NAME);
            if find_executable(&above, "".as_ref()).is_some() {
                return Ok(above);
            }
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_executable(Path::new(HELPER_NAME), &path).ok_or_else(|| {
        searched.push("PATH".into());
        SandboxError::HelperNotFound {
            searched: format!("looked beside the executable in {}", searched.join(" and on ")),
        }
    })
}

/// Gives `dir` and everything beneath it (not following links) to `uid:gid`.
fn chown_tree(dir: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    let metadata = std::fs::symlink_metadata(dir)?;
    if metadata.uid() != uid || metadata.gid() != gid {
        std::os::unix::fs::lchown(dir, Some(uid), Some(gid))?;
    }
    if metadata.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}
