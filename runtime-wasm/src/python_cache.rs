//! Python entry points, built into components once and kept.
//!
//! componentize-py takes tens of seconds, so its output is stored under
//! `<cache_dir>/python/<key>.wasm`, where the key ([`PythonBuild::source_key`]) digests the
//! world, our WIT package and every file of the entry point's directory (what
//! componentize-py may bundle). Changing any of them builds again; a restart finds the component without running the tool at all.
//! Files are sealed with the server's [`CacheKey`]: one that does not verify (damaged, or
//! planted to run as another pack's action) is built again.
//! `attune pack build` can do the same ahead of time with [`crate::build::build_file`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::build::{PythonBuild, World};
use crate::digest::ComponentDigest;
use crate::error::SetupError;
use crate::seal::CacheKey;

/// Built Python components on disk.
pub(crate) struct PythonCache {
    dir: PathBuf,
    seal: CacheKey,
    building: Mutex<HashMap<ComponentDigest, Arc<tokio::sync::Mutex<()>>>>,
}

impl PythonCache {
    /// A cache in `dir` (created on first build), its files sealed with `seal`.
    pub(crate) fn new(dir: PathBuf, seal: CacheKey) -> Self {
        Self { dir, seal, building: Mutex::default() }
    }

    /// The component of the Python app `entry_point` for `world`, built if needed.
    pub(crate) async fn component(&self, entry_point: &Path, world: World) -> Result<Vec<u8>, SetupError> {
        let build_error = |source| SetupError::Build { path: entry_point.to_path_buf(), source };
        let build = PythonBuild::for_entry_point(entry_point, world).map_err(build_error)?;
        let key = ComponentDigest::from_raw(build.source_key().map_err(build_error)?);
        let path = self.dir.join(format!("{key}.wasm"));
        if let Some(bytes) = self.read_sealed(&path).await {
            return Ok(bytes);
        }
        // One build per key at a time; whoever waited finds the result on disk.
        let gate = self.building.lock().expect("python cache lock").entry(key).or_default().clone();
        let _building = gate.lock().await;
        if let Some(bytes) = self.read_sealed(&path).await {
            return Ok(bytes);
        }

        let cache_error = |source| SetupError::Cache { path: self.dir.clone(), source };
        tokio::fs::create_dir_all(&self.dir).await.map_err(cache_error)?;
        let temporary = self.dir.join(format!(".{key}.{}.tmp.wasm", std::process::id()));
        let output = temporary.clone();
        tracing::info!(entry_point = %entry_point.display(), "building a Python component");
        tokio::task::spawn_blocking(move || build.build(&output))
            .await
            .map_err(|e| SetupError::Internal(e.to_string()))?
            .map_err(build_error)?;
        let component = tokio::fs::read(&temporary).await.map_err(cache_error)?;
        let mut sealed = component.clone();
        self.seal.seal(&mut sealed);
        let written = tokio::fs::write(&temporary, &sealed).await;
        if let Err(source) = written.and(tokio::fs::rename(&temporary, &path).await) {
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(cache_error(source));
        }
        Ok(component)
    }

    /// The component stored at `path`, if it is there and its seal verifies; a file whose
    /// seal does not is removed.
    async fn read_sealed(&self, path: &Path) -> Option<Vec<u8>> {
        let file = tokio::fs::read(path).await.ok()?;
        match self.seal.open(&file) {
            Some(component) => Some(component.to_vec()),
            None => {
                tracing::warn!(path = %path.display(), "discarding a built Python component that is damaged or not ours");
                let _ = tokio::fs::remove_file(path).await;
                None
            }
        }
    }
}
