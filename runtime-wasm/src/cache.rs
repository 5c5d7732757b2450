//! The on-disk cache of compiled components.
//!
//! Compiling a component with Cranelift takes from milliseconds (a WAT guest) to seconds (a
//! Python guest); loading the compiled artifact takes microseconds to milliseconds. Every
//! component is therefore compiled once per engine build and stored as
//! `<cache_dir>/<engine-hash>/<component-sha256>.cwasm`:
//!
//! - the directory is named by [`Engine::precompile_compatibility_hash`], so an upgraded
//!   wasmtime or different engine settings never load an incompatible artifact;
//! - the file is named by the digest of the component's bytes, so a changed component is a
//!   different file and an unchanged one is found again after a restart;
//! - the file is written under a temporary name and renamed into place, so it is either
//!   absent or complete, and it is sealed with the server's [`CacheKey`] (see `seal`),
//!   checked before loading, so a truncated, corrupted or planted file is discarded and
//!   recompiled, never deserialized.

use std::fs;
use std::hash::Hash;
use std::io::Write;
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::digest::{ComponentDigest, StableHasher};
use crate::error::SetupError;
use crate::seal::CacheKey;

/// Compiled components on disk, for one engine.
#[derive(Debug)]
pub(crate) struct DiskCache {
    dir: PathBuf,
    key: CacheKey,
}

impl DiskCache {
    /// Opens (creating it if needed) the cache directory of `engine` under `root`; files
    /// are sealed with `key`.
    pub(crate) fn open(root: &Path, engine: &Engine, key: CacheKey) -> Result<Self, SetupError> {
        let mut hasher = StableHasher::default();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let dir = root.join(hasher.finish_hex());
        fs::create_dir_all(&dir).map_err(|source| SetupError::Cache { path: dir.clone(), source })?;
        Ok(Self { dir, key })
    }

    fn path_of(&self, digest: &ComponentDigest) -> PathBuf {
        self.dir.join(format!("{digest}.cwasm"))
    }

    /// The compiled component for `digest`, if the cache holds an intact copy. A damaged
    /// file is removed (and the component will be compiled again).
    pub(crate) fn load(&self, engine: &Engine, digest: &ComponentDigest) -> Option<Component> {
        let path = self.path_of(digest);
        let bytes = fs::read(&path).ok()?;
        let Some(artifact) = self.key.open(&bytes) else {
            tracing::warn!(path = %path.display(), "discarding a compiled component that is damaged or not ours");
            let _ = fs::remove_file(&path);
            return None;
        };
        match deserialize_trusted(engine, artifact) {
            Ok(component) => Some(component),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "discarding an unloadable compiled component");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores the compiled `component` under `digest`, atomically.
    pub(crate) fn store(&self, digest: &ComponentDigest, component: &Component) -> Result<(), SetupError> {
        let mut bytes = component.serialize().map_err(|e| SetupError::Compile(format!("cannot serialize: {e:#}")))?;
        self.key.seal(&mut bytes);

        let path = self.path_of(digest);
        let temporary =
            self.dir.join(format!(".{digest}.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
        let io_error = |source| SetupError::Cache { path: path.clone(), source };
        let mut file = fs::File::create(&temporary).map_err(io_error)?;
        let written = file.write_all(&bytes).and_then(|()| file.sync_all());
        drop(file);
        if let Err(source) = written.and_then(|()| fs::rename(&temporary, &path)) {
            let _ = fs::remove_file(&temporary);
            return Err(io_error(source));
        }
        Ok(())
    }
}

/// Loads a compiled component from the cache.
///
/// `Component::deserialize` is unsafe because it maps the bytes as executable code without
/// validating them: whoever can write the bytes can run arbitrary native code in the host.
#[allow(unsafe_code)]
fn deserialize_trusted(engine: &Engine, artifact: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `artifact` comes only from `DiskCache::load`, which reads a file that this
    // module wrote itself: `store` serializes a component that this engine compiled, seals
    // it with an HMAC keyed by the server's secret, writes it under a temporary name in the
    // cache directory and renames it into place. `load` verifies the seal before calling
    // here, so a truncated, corrupted or planted file (its author lacks the key) never
    // reaches this call. The directory is named by this engine's compatibility hash, and
    // wasmtime additionally checks the artifact's header against the engine.
    unsafe { Component::deserialize(engine, artifact) }
}
