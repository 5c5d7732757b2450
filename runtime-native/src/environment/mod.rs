//! Per-pack environments: `<runtime_envs_dir>/<pack>/python` and `.../node`.
//!
//! Each pack gets its own, so two packs pinning different versions of one package both
//! work. An environment is built the first time an action of its pack needs it, and again
//! whenever the files it is built from change or it stops working (see `fingerprint`).
//!
//! Building is guarded twice. An in-process mutex per environment keeps concurrent
//! executions of one worker from each spending a blocking thread on the file lock, and the
//! file lock (`lock`) keeps two processes sharing the directory from building at once.
//! Whoever gets the lock second finds the environment current and uses it. The common path
//! — environment already current — takes neither.
//!
//! What differs between Python and Node is behind [`EnvironmentRecipe`].

mod fingerprint;
mod lock;
mod node;
mod python;
mod steps;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::error::SetupError;
use crate::toolchain::{SetupIo, Toolchain};

pub use node::NodeModules;
pub use python::PythonVirtualenv;
pub use steps::SetupSteps;

/// One kind of per-pack environment.
#[async_trait]
pub trait EnvironmentRecipe: Send + Sync {
    /// Its directory under `<runtime_envs_dir>/<pack>` (`python`, `node`).
    fn name(&self) -> &'static str;
    /// What it is called in messages (`python virtualenv`).
    fn label(&self) -> &'static str;
    /// The pack file asking for it (`requirements.txt`): a pack without one has none.
    fn manifest(&self) -> &'static str;
    /// Other pack files it is built from (lock files); a change to them rebuilds it too.
    fn companions(&self) -> &'static [&'static str] {
        &[]
    }
    /// The interpreter it is built for; a different one rebuilds it.
    fn tool_identity(&self) -> String;
    /// Whether a complete build in `dir` still works.
    fn is_intact(&self, dir: &Path) -> bool;
    /// Builds it into `dir`, an empty directory, for the pack in `pack_dir`.
    async fn build(&self, dir: &Path, pack_dir: &Path, steps: &SetupSteps<'_>) -> Result<(), SetupError>;
}

/// The environments of every pack, under one root directory.
#[derive(Debug)]
pub struct PackEnvironments {
    root: PathBuf,
    builds: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
}

impl PackEnvironments {
    /// Environments under `root` (made absolute: actions run in their pack's directory).
    pub fn new(root: PathBuf) -> Self {
        let root = std::path::absolute(&root).unwrap_or(root);
        Self { root, builds: Mutex::new(HashMap::new()) }
    }

    /// Where the environment `name` of `pack_ref` lives. Refs that are not a plain
    /// directory name are refused, so that no ref can point outside the root.
    pub fn dir_of(&self, pack_ref: &str, name: &str) -> Result<PathBuf, SetupError> {
        let plain = !pack_ref.is_empty()
            && !pack_ref.starts_with('.')
            && pack_ref.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !plain {
            return Err(SetupError::InvalidPackRef(pack_ref.to_owned()));
        }
        Ok(self.root.join(pack_ref).join(name))
    }

    /// The environment of `recipe` for the pack, built or rebuilt first when needed; `None`
    /// when the pack does not ask for one (no manifest file).
    pub async fn ensure(
        &self,
        recipe: &dyn EnvironmentRecipe,
        pack_ref: &str,
        pack_dir: &Path,
        toolchain: &Toolchain,
        io: &SetupIo,
    ) -> Result<Option<PathBuf>, SetupError> {
        if !pack_dir.join(recipe.manifest()).is_file() {
            return Ok(None);
        }
        let dir = self.dir_of(pack_ref, recipe.name())?;
        let steps = SetupSteps { pack_ref, pack_dir, build_dir: &dir, environment: recipe.label(), toolchain, io };
        let reading = format!("reading {}", recipe.manifest());
        let wanted = fingerprint::fingerprint(recipe, pack_dir).map_err(|e| steps.failed(&reading, e.to_string()))?;
        if fingerprint::is_current(&dir, &wanted, recipe) {
            return Ok(Some(dir));
        }

        let build = self.build_mutex(&dir);
        let _in_process = tokio::select! {
            guard = build.lock() => guard,
            () = io.cancel.cancelled() => return Err(SetupError::Cancelled),
        };
        let lock_path = dir.with_file_name(format!(".{}.lock", recipe.name()));
        let locking = format!("locking {}", lock_path.display());
        std::fs::create_dir_all(self.root.join(pack_ref)).map_err(|e| steps.failed(&locking, e.to_string()))?;
        let _across_processes = tokio::select! {
            lock = lock::lock_exclusive(&lock_path) => lock.map_err(|e| steps.failed(&locking, e.to_string()))?,
            () = io.cancel.cancelled() => return Err(SetupError::Cancelled),
        };
        // Another execution may have built it while this one waited.
        if fingerprint::is_current(&dir, &wanted, recipe) {
            return Ok(Some(dir));
        }

        let why = if dir.exists() { "rebuilding" } else { "building" };
        steps.announce(format!(
            "{why} the {} of pack `{pack_ref}` from {} in {}",
            recipe.label(),
            recipe.manifest(),
            dir.display()
        ));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| steps.failed(&format!("removing {}", dir.display()), e.to_string()))?;
        }
        // Created empty here: a confined installer can only write into what exists.
        std::fs::create_dir(&dir).map_err(|e| steps.failed(&format!("creating {}", dir.display()), e.to_string()))?;
        recipe.build(&dir, pack_dir, &steps).await?;
        fingerprint::mark_current(&dir, &wanted).map_err(|e| steps.failed("recording the build", e.to_string()))?;
        steps.announce(format!("the {} of pack `{pack_ref}` is ready", recipe.label()));
        Ok(Some(dir))
    }

    fn build_mutex(&self, dir: &Path) -> Arc<tokio::sync::Mutex<()>> {
        self.builds.lock().expect("environment build table poisoned").entry(dir.to_path_buf()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_refs_cannot_leave_the_root() {
        let envs = PackEnvironments::new("/envs".into());
        assert_eq!(envs.dir_of("my-pack_2", "python").unwrap(), PathBuf::from("/envs/my-pack_2/python"));
        for bad in ["", "..", ".hidden", "a/b", "../etc"] {
            assert!(envs.dir_of(bad, "python").is_err(), "{bad:?} was accepted");
        }
    }
}
