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

use sha2::Digest;

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

    /// A digest of everything the build reads — the world, our WIT package, the app
    /// module's name and every source file — so that a built component can be kept and
    /// found again: componentize-py's output is not the same twice (it snapshots an
    /// initialised interpreter), so only reusing it makes a rebuild give the same bytes.
    pub fn source_key(&self) -> Result<[u8; 32], BuildError> {
        let mut key = sha2::Sha256::new();
        key.update(self.world.qualified_name().as_bytes());
        key.update(super::package_digest());
        key.update(self.module.as_bytes());
        for (relative, path) in sources(&self.source_dir)? {
            let contents = std::fs::read(&path).map_err(|source| BuildError::Io { path: path.clone(), source })?;
            key.update([0]);
            key.update(relative.as_os_str().as_encoded_bytes());
            key.update([0]);
            key.update((contents.len() as u64).to_le_bytes());
            key.update(&contents);
        }
        Ok(key.finalize().into())
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
        // componentize-py leaves a `__pycache__` beside the sources it reads, and bundles the
        // one it finds: built in place, the same sources would not give the same component
        // twice. It reads a copy without any, from the copy's own directory: the path it is
        // given ends up in the component.
        let sources = wit_dir.path().join("app");
        copy_sources(&self.source_dir, &sources)?;
        let output =
            std::path::absolute(output).map_err(|source| BuildError::Io { path: output.to_path_buf(), source })?;
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
            .arg(".")
            .arg("-o")
            .arg(&output)
            .current_dir(&sources);
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

/// Every file componentize-py may read from the app's directory, by path relative to it,
/// in path order: the whole tree but bytecode caches and dotfiles.
fn sources(dir: &Path) -> Result<Vec<(PathBuf, PathBuf)>, BuildError> {
    fn walk(root: &Path, dir: &Path, found: &mut Vec<(PathBuf, PathBuf)>) -> Result<(), BuildError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BuildError::Io { path, source }
        };
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name();
            if name == "__pycache__" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let metadata = std::fs::metadata(&path).map_err(io(&path))?;
            if metadata.is_dir() {
                walk(root, &path, found)?;
            } else if metadata.is_file() {
                found.push((path.strip_prefix(root).unwrap_or(&path).to_path_buf(), path));
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    walk(dir, dir, &mut found)?;
    found.sort();
    Ok(found)
}

/// Copies the app's [`sources`] into `to`.
fn copy_sources(from: &Path, to: &Path) -> Result<(), BuildError> {
    for (relative, path) in sources(from)? {
        let target = to.join(&relative);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BuildError::Io { path, source }
        };
        std::fs::create_dir_all(target.parent().unwrap_or(to)).map_err(io(&target))?;
        std::fs::copy(&path, &target).map_err(io(&path))?;
    }
    Ok(())
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

    #[test]
    fn the_source_key_follows_the_sources_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
        let build = PythonBuild::for_entry_point(&dir.path().join("app.py"), World::Action).unwrap();
        let first = build.source_key().unwrap();
        std::fs::create_dir_all(dir.path().join("__pycache__")).unwrap();
        std::fs::write(dir.path().join("__pycache__/app.cpython-311.pyc"), "cache").unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        assert_eq!(build.source_key().unwrap(), first, "caches and dotfiles are not sources");
        std::fs::create_dir_all(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/helper.py"), "y = 2\n").unwrap();
        let with_helper = build.source_key().unwrap();
        assert_ne!(with_helper, first, "a module in a subdirectory is a source");
        let sensor = PythonBuild { world: World::Sensor, ..build.clone() };
        assert_ne!(sensor.source_key().unwrap(), with_helper, "the world is part of the key");

        let copy = tempfile::tempdir().unwrap();
        copy_sources(dir.path(), copy.path()).unwrap();
        assert!(copy.path().join("lib/helper.py").is_file() && !copy.path().join("__pycache__").exists());
    }
}
