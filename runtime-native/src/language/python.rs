//! Python actions: the pack's virtualenv when it has a `requirements.txt`, the configured
//! `python3` otherwise.
//!
//! The interpreter runs with `-u` (unbuffered: output lines reach the execution's output as
//! they are printed, not when a buffer fills or the script ends), `-s` (no user
//! site-packages: a pack sees its own environment, not what someone installed into the
//! worker's home directory) and `-B` (no `__pycache__` written next to the pack's modules:
//! pack directories may be read-only and are shared by every worker).

use async_trait::async_trait;

use super::{Launch, ScriptLanguage, ScriptTarget};
use crate::environment::PythonVirtualenv;
use crate::error::SetupError;
use crate::toolchain::{SetupIo, Toolchain};

/// `runner_type: python`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Python;

#[async_trait]
impl ScriptLanguage for Python {
    fn runner_type(&self) -> &'static str {
        "python"
    }

    async fn prepare(
        &self,
        toolchain: &Toolchain,
        target: &ScriptTarget<'_>,
        io: &SetupIo,
    ) -> Result<Launch, SetupError> {
        let recipe = PythonVirtualenv { python: toolchain.python3().await? };
        let environment = toolchain.environment(&recipe, target, io).await?;
        let mut visible = Toolchain::installations(&recipe.python);
        let (program, path_prefix) = match environment {
            Some(dir) => {
                visible.push(dir.clone());
                (PythonVirtualenv::interpreter(&dir), vec![dir.join("bin")])
            }
            None => (recipe.python, Vec::new()),
        };
        Ok(Launch {
            program,
            args: vec!["-u".into(), "-s".into(), "-B".into(), target.entry_point.into()],
            path_prefix,
            env: Vec::new(),
            visible,
        })
    }
}
