//! A pack's Python virtualenv, from its `requirements.txt`.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{EnvironmentRecipe, SetupSteps};
use crate::error::SetupError;

/// `<runtime_envs_dir>/<pack>/python`: a virtualenv of `python` with the pack's
/// requirements installed.
#[derive(Debug, Clone)]
pub struct PythonVirtualenv {
    /// The interpreter the virtualenv is created from.
    pub python: PathBuf,
}

impl PythonVirtualenv {
    /// The interpreter inside a virtualenv built in `dir`.
    pub fn interpreter(dir: &Path) -> PathBuf {
        dir.join("bin").join("python")
    }
}

#[async_trait]
impl EnvironmentRecipe for PythonVirtualenv {
    fn name(&self) -> &'static str {
        "python"
    }

    fn label(&self) -> &'static str {
        "python virtualenv"
    }

    fn manifest(&self) -> &'static str {
        "requirements.txt"
    }

    fn tool_identity(&self) -> String {
        self.python.display().to_string()
    }

    fn is_intact(&self, dir: &Path) -> bool {
        // `bin/python` is a symlink to the base interpreter: this also notices a virtualenv
        // whose interpreter was removed or upgraded away.
        std::fs::metadata(Self::interpreter(dir)).is_ok_and(|meta| meta.is_file())
    }

    async fn build(&self, dir: &Path, pack_dir: &Path, steps: &SetupSteps<'_>) -> Result<(), SetupError> {
        steps
            .run("python3 -m venv", &self.python, &["-m".as_ref(), "venv".as_ref(), dir.as_os_str()], pack_dir)
            .await?;
        // Run from the pack directory: requirements may name files relative to it.
        let pip_args = [
            "-m",
            "pip",
            "install",
            "--no-input",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "-r",
            "requirements.txt",
        ];
        let pip_args: Vec<&std::ffi::OsStr> = pip_args.iter().map(|a| a.as_ref()).collect();
        steps.run("pip install -r requirements.txt", &Self::interpreter(dir), &pip_args, pack_dir).await
    }
}
