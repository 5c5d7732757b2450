//! A pack's `node_modules`, from its `package.json`.
//!
//! npm installs next to the `package.json` it reads, and the pack directory must stay
//! untouched (packs may be read-only, and are shared by every worker), so the manifest and
//! its lock file are copied into `<runtime_envs_dir>/<pack>/node` and installed there.
//! Actions find the modules through `NODE_PATH`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{EnvironmentRecipe, SetupSteps};
use crate::error::SetupError;

/// The lock files npm honours, copied along with `package.json` when present.
const LOCK_FILES: &[&str] = &["package-lock.json", "npm-shrinkwrap.json"];

/// `<runtime_envs_dir>/<pack>/node`: the pack's dependencies installed by `npm`.
#[derive(Debug, Clone)]
pub struct NodeModules {
    /// The node interpreter the modules are for (native modules are built against it).
    pub node: PathBuf,
}

impl NodeModules {
    /// The `node_modules` directory of an environment built in `dir` (for `NODE_PATH`).
    pub fn modules(dir: &Path) -> PathBuf {
        dir.join("node_modules")
    }
}

#[async_trait]
impl EnvironmentRecipe for NodeModules {
    fn name(&self) -> &'static str {
        "node"
    }

    fn label(&self) -> &'static str {
        "node_modules"
    }

    fn manifest(&self) -> &'static str {
        "package.json"
    }

    fn companions(&self) -> &'static [&'static str] {
        LOCK_FILES
    }

    fn tool_identity(&self) -> String {
        self.node.display().to_string()
    }

    fn is_intact(&self, dir: &Path) -> bool {
        Self::modules(dir).is_dir()
    }

    async fn build(&self, dir: &Path, pack_dir: &Path, steps: &SetupSteps<'_>) -> Result<(), SetupError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| steps.failed(&format!("creating {}", dir.display()), e.to_string()))?;
        for file in std::iter::once(self.manifest()).chain(LOCK_FILES.iter().copied()) {
            let source = pack_dir.join(file);
            if source.is_file() {
                std::fs::copy(&source, dir.join(file))
                    .map_err(|e| steps.failed(&format!("copying {file}"), e.to_string()))?;
            }
        }
        let args: Vec<&OsStr> = ["install", "--omit=dev", "--no-audit", "--no-fund", "--no-update-notifier"]
            .iter()
            .map(|a| a.as_ref())
            .collect();
        // Looked up only now: packs without a package.json do not need npm at all.
        let npm = steps.toolchain().npm().await?;
        steps.run("npm install", &npm, &args, dir).await
    }
}
