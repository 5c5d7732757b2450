//! What the three script runtimes share: the interpreters, the pack environments, the
//! sandbox, and the base environment every child starts from.

mod interpreters;
mod tool_env;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use attune_runtime_api::OutputSink;
use tokio_util::sync::CancellationToken;

use crate::config::NativeConfig;
use crate::environment::{EnvironmentRecipe, PackEnvironments};
use crate::error::SetupError;
use crate::language::ScriptTarget;
use crate::sandbox::Sandbox;
pub(crate) use interpreters::find_executable;
use interpreters::{Interpreter, Resolution};

/// The channels and bounds of one environment build: where its tool output goes and what
/// stops it.
#[derive(Clone)]
pub struct SetupIo {
    /// Receives the tools' output lines (as [`attune_runtime_api::Stream::Log`] lines).
    pub output: Arc<dyn OutputSink>,
    /// Stops the build (and the wait for another build of the same environment).
    pub cancel: CancellationToken,
    /// Bytes kept of each output stream of a tool.
    pub output_limit: usize,
}

/// Interpreters, environments, the sandbox and the base environment of children.
pub struct Toolchain {
    config: NativeConfig,
    /// The worker's own `PATH`: where bare interpreter names are looked up.
    worker_path: OsString,
    /// `HOME` for children.
    home: OsString,
    /// The environment of tools the worker runs itself.
    tool_env: Vec<(OsString, OsString)>,
    bash: Interpreter,
    python3: Interpreter,
    node: Interpreter,
    npm: Interpreter,
    environments: PackEnvironments,
    sandbox: Sandbox,
}

impl std::fmt::Debug for Toolchain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Toolchain").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Toolchain {
    /// A toolchain configured by `config`. Nothing is looked up or built until needed.
    pub fn new(config: NativeConfig) -> Self {
        let worker_path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        let home =
            config.home.clone().map(OsString::from).or_else(|| std::env::var_os("HOME")).unwrap_or_else(|| "/".into());
        let base = vec![
            ("PATH".into(), worker_path.clone()),
            ("HOME".into(), home.clone()),
            ("LANG".into(), config.lang.clone().into()),
        ];
        let tool_env = tool_env::tool_env(base, std::env::vars_os());
        let i = &config.interpreters;
        Self {
            bash: Interpreter::new("bash", i.bash.clone(), Resolution::AsFound),
            python3: Interpreter::new("python3", i.python3.clone(), Resolution::PythonExecutable),
            node: Interpreter::new("node", i.node.clone(), Resolution::AsFound),
            npm: Interpreter::new("npm", i.npm.clone(), Resolution::AsFound),
            environments: PackEnvironments::new(config.runtime_envs_dir.clone()),
            sandbox: Sandbox::new(&config.sandbox, config.grace_period()),
            worker_path,
            home,
            tool_env,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &NativeConfig {
        &self.config
    }

    /// The per-pack environments.
    pub fn environments(&self) -> &PackEnvironments {
        &self.environments
    }

    /// What every action, sensor and environment build is confined by.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The environment `recipe` builds for the target's pack, made current first; `None`
    /// when the pack does not ask for one.
    pub async fn environment(
        &self,
        recipe: &dyn EnvironmentRecipe,
        target: &ScriptTarget<'_>,
        io: &SetupIo,
    ) -> Result<Option<PathBuf>, SetupError> {
        self.environments.ensure(recipe, target.pack_ref, target.pack_dir, self, io).await
    }

    /// The shell interpreter.
    pub async fn bash(&self) -> Result<PathBuf, SetupError> {
        self.bash.path(&self.worker_path, &self.tool_env).await
    }

    /// The Python interpreter used without a virtualenv and to create virtualenvs.
    pub async fn python3(&self) -> Result<PathBuf, SetupError> {
        self.python3.path(&self.worker_path, &self.tool_env).await
    }

    /// The Node.js interpreter.
    pub async fn node(&self) -> Result<PathBuf, SetupError> {
        self.node.path(&self.worker_path, &self.tool_env).await
    }

    /// npm, for packs with a `package.json`.
    pub async fn npm(&self) -> Result<PathBuf, SetupError> {
        self.npm.path(&self.worker_path, &self.tool_env).await
    }

    /// The installations an interpreter belongs to, which a confined process must see to
    /// run it: the directory above its `bin` (`/usr`, `~/.pyenv/versions/3.11.7`), for the
    /// path as given and for the file it really is (a virtualenv's `python` and npm's
    /// `bin/npm` link elsewhere).
    pub fn installations(interpreter: &Path) -> Vec<PathBuf> {
        let above_bin = |path: &Path| {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
            match dir.file_name() {
                Some(name) if name == "bin" || name == "sbin" => dir.parent().map(Path::to_path_buf).unwrap_or(dir),
                _ => dir,
            }
        };
        let mut found = vec![above_bin(interpreter)];
        if let Ok(real) = std::fs::canonicalize(interpreter) {
            let real = above_bin(&real);
            if !found.contains(&real) {
                found.push(real);
            }
        }
        found
    }

    /// The environment of tools the worker runs itself (installers): see `tool_env`.
    pub fn tool_env(&self) -> &[(OsString, OsString)] {
        &self.tool_env
    }

    /// The base environment of an action or sensor: `PATH` (with `path_prefix` in front of
    /// the configured or worker's `PATH`), `HOME` and `LANG`. Nothing else.
    pub fn child_env(&self, path_prefix: &[PathBuf]) -> Vec<(OsString, OsString)> {
        let configured = self.config.path.as_ref().map(OsString::from);
        let path = configured.unwrap_or_else(|| self.worker_path.clone());
        let dirs = path_prefix.iter().cloned().chain(std::env::split_paths(&path));
        let path = std::env::join_paths(dirs).unwrap_or(path);
        vec![
            ("PATH".into(), path),
            ("HOME".into(), self.home.clone()),
            ("LANG".into(), self.config.lang.clone().into()),
        ]
    }
}
