//! Python guests, compiled into components by componentize-py.
//!
//! componentize-py bundles CPython, the standard library and the app into one component
//! (about 18 MB) generated against our WIT. It is a separate tool, installed by
//! `scripts/install-wasm-tools.sh` into a virtualenv; this module finds it in this order:
//! `$ATTUNE_COMPONENTIZE_PY` (the executable), then
//! `${ATTUNE_TOOLS_DIR:-$HOME/.cache/attune/tools}/componentize-py/bin/componentize-py`,
//! then `PATH`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{BuildError, World};

/// Environment variable naming the componentize-py executable.
pub const COMPONENTIZE_PY_ENV: &str = "ATTUNE_COMPONENTIZE_PY";
/// Environment variable naming the tools directory.
pub const TOOLS_DIR_ENV: &str = "ATTUNE_TOOLS_DIR";

/// The tools directory: `$ATTUNE_TOOLS_DIR`, or `$HOME/.cache/attune/tools`.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(TOOLS_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| OsString::from("."));
    PathBuf::from(home).join(".cache/attune/tools")
}

/// The componentize-py executable, or an error naming the install script.
pub fn locate_componentize_py() -> Result<PathBuf, BuildError> {
    if let Some(tool) = std::env::var_os(COMPONENTIZE_PY_ENV).filter(|t| !t.is_empty()) {
        let tool = PathBuf::from(tool);
        if tool.is_file() {
            return Ok(tool);
        }
    }
    let tools = tools_dir();
    let installed = tools.join("componentize-py/bin/componentize-py");
    if installed.is_file() {
        return Ok(installed);
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).map(|dir| dir.join("componentize-py")).find(|candidate| candidate.is_file())
    });
    on_path.ok_or_else(|| BuildError::ComponentizePyMissing { tools_dir: tools.display().to_string() })
}

/// `componentize-py --version` of the located tool (e.g. `componentize-py 0.25.1`): part
/// of the cache key of a built Python guest.
pub fn componentize_py_version() -> Result<String, BuildError> {
    let tool = locate_componentize_py()?;
    let output =
        Command::new(&tool).arg("--version").output().map_err(|source| BuildError::Io { path: tool, source })?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// One Python guest to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonBuild {
    /// The directory holding the app module and any modules it imports.
    pub source_dir: PathBuf,
    /// The app module's name (the file name without `.py`). It must define a class
    /// `WitWorld` implementing the world's export (`run` or `poll`).
    pub module: String,
    /// The world it implements.
    pub world: World,
}

impl PythonBuild {
    /// The build of the app in `entry_point` (a `.py` file), for `world`.
    pub fn for_entry_point(entry_point: &Path, world: World) -> Result<Self, BuildError> {
        let module = entry_point
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| BuildError::UnknownSource { path: entry_point.to_path_buf() })?;
        let source_dir =
            entry_point.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        Ok(Self { source_dir, module, world })
    }

    /// Runs componentize-py, writing the component to `output`.
    pub fn build(&self, output: &Path) -> Result<(), BuildError> {
        let tool = locate_componentize_py()?;
        let wit_dir = tempfile::Builder::new()
            .prefix("attune-wit-")
            .tempdir()
            .map_err(|source| BuildError::Io { path: std::env::temp_dir(), source })?;
        super::write_wit_package(wit_dir.path())
            .map_err(|source| BuildError::Io { path: wit_dir.path().to_path_buf(), source })?;
        // A clean environment: componentize-py otherwise adds the site-packages of whatever
        // virtualenv the caller runs in to the guest.
        let mut command = Command::new(&tool);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", wit_dir.path())
            .arg("-q")
            .arg("-d")
            .arg(wit_dir.path())
            .arg("-w")
            .arg(self.world.qualified_name())
            .arg("componentize")
            .arg(&self.module)
            .arg("-p")
            .arg(&self.source_dir)
            .arg("-o")
            .arg(output);
        let result = command.output().map_err(|source| BuildError::Io { path: tool.clone(), source })?;
        if result.status.success() {
            Ok(())
        } else {
            Err(BuildError::ComponentizePyFailed {
                status: result.status.to_string(),
                stderr: String::from_utf8_lossy(&result.stderr).trim().to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_names_the_install_script() {
        let message = BuildError::ComponentizePyMissing { tools_dir: "/opt/tools".into() }.to_string();
        assert!(message.contains("scripts/install-wasm-tools.sh"), "{message}");
        assert!(message.contains("ATTUNE_COMPONENTIZE_PY"), "{message}");
    }

    #[test]
    fn an_entry_point_names_module_and_directory() {
        let build = PythonBuild::for_entry_point(Path::new("pack/actions/http_get.py"), World::Action).unwrap();
        assert_eq!(build.module, "http_get");
        assert_eq!(build.source_dir, Path::new("pack/actions"));
    }
}
