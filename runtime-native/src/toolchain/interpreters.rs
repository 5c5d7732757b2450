//! Finding interpreters once, not per execution.
//!
//! A bare name (`python3`) is looked up on the worker's `PATH` the first time it is needed
//! and the absolute path is kept: actions get a clean `PATH` of their own, and a lookup per
//! execution would be wasted work. Python is asked for its real executable
//! (`sys.executable`), which steps past version-manager shims (pyenv, asdf): a shim costs
//! a shell script per start and would pick its version from the pack directory it runs in.
//! A failed lookup is not remembered, so installing the interpreter fixes the worker
//! without a restart.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attune_runtime_api::NullSink;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use crate::error::SetupError;
use crate::process::{self, Ending, ProcessSpec, SupervisionPolicy};

/// How long asking Python for `sys.executable` may take.
const PYTHON_PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// How an interpreter's configured name becomes the path that is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// The file found on `PATH` (or the configured path) is run as is.
    AsFound,
    /// The file found is asked for `sys.executable`, which is run instead.
    PythonExecutable,
}

/// One configured interpreter and, once found, its absolute path.
#[derive(Debug)]
pub(crate) struct Interpreter {
    tool: &'static str,
    configured: PathBuf,
    resolution: Resolution,
    resolved: OnceCell<PathBuf>,
}

impl Interpreter {
    pub fn new(tool: &'static str, configured: PathBuf, resolution: Resolution) -> Self {
        Self { tool, configured, resolution, resolved: OnceCell::new() }
    }

    /// The absolute path to run. `search_path` is the worker's `PATH`; `tool_env` the
    /// environment the Python probe runs in.
    pub async fn path(&self, search_path: &OsStr, tool_env: &[(OsString, OsString)]) -> Result<PathBuf, SetupError> {
        self.resolved
            .get_or_try_init(|| async {
                let found = find_executable(&self.configured, search_path).ok_or_else(|| {
                    SetupError::InterpreterNotFound { tool: self.tool, configured: self.configured.clone() }
                })?;
                match self.resolution {
                    Resolution::AsFound => Ok(found),
                    Resolution::PythonExecutable => self.python_executable(found, tool_env).await,
                }
            })
            .await
            .cloned()
    }

    async fn python_executable(
        &self,
        found: PathBuf,
        tool_env: &[(OsString, OsString)],
    ) -> Result<PathBuf, SetupError> {
        let unusable =
            |reason: String| SetupError::InterpreterUnusable { tool: self.tool, path: found.clone(), reason };
        let spec = ProcessSpec {
            program: found.clone(),
            args: vec!["-c".into(), "import sys; sys.stdout.write(sys.executable)".into()],
            env: tool_env.to_vec(),
            cwd: std::env::temp_dir(),
            ..ProcessSpec::default()
        };
        let policy = SupervisionPolicy {
            timeout: Some(PYTHON_PROBE_TIMEOUT),
            grace_period: Duration::from_secs(1),
            output_limit: Some(64 * 1024),
        };
        let probe = process::run(spec, &policy, Arc::new(NullSink), &CancellationToken::new())
            .await
            .map_err(|error| unusable(error.to_string()))?;
        let succeeded = probe.ending == Ending::Exited && probe.exit_status.is_some_and(|status| status.success());
        if !succeeded {
            return Err(unusable(format!("asking it for sys.executable failed: {}", probe.stderr.text.trim())));
        }
        let executable = PathBuf::from(probe.stdout.text.trim());
        // An embedded or frozen Python may not know its executable: run what was found.
        Ok(if is_executable(&executable) { executable } else { found })
    }
}

/// `name` itself when it contains a `/`, otherwise the first executable file of that name
/// in the directories of `search_path`.
pub(crate) fn find_executable(name: &Path, search_path: &OsStr) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return is_executable(name).then(|| std::path::absolute(name).ok()).flatten();
    }
    std::env::split_paths(search_path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_are_searched_and_paths_are_checked() {
        let search = OsString::from("relative/dir:/nonexistent:/bin:/usr/bin");
        let sh = find_executable(Path::new("sh"), &search).unwrap();
        assert!(sh.is_absolute() && sh.ends_with("sh"), "{}", sh.display());
        assert_eq!(find_executable(Path::new("no-such-interpreter-xyz"), &search), None);
        assert_eq!(find_executable(Path::new("/no/such/python3"), &search), None);
        // A directory is not an interpreter.
        assert_eq!(find_executable(Path::new("/usr/bin/"), &search), None);
    }
}
