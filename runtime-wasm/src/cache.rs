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
//!   absent or complete, and it ends with the SHA-256 of the artifact, checked before
//!   loading, so a truncated or corrupted file is discarded and recompiled.

use std::fs;
use std::hash::Hash;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::digest::{ComponentDigest, StableHasher};
use crate::error::SetupError;

/// Marks the end of a cache file written by this module (format version 1).
const TRAILER_MAGIC: &[u8; 8] = b"ATNCWC01";
const TRAILER_LEN: usize = 32 + TRAILER_MAGIC.len();

/// Compiled components on disk, for one engine.
#[derive(Debug)]
pub(crate) struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    /// Opens (creating it if needed) the cache directory of `engine` under `root`.
    pub(crate) fn open(root: &Path, engine: &Engine) -> Result<Self, SetupError> {
        let mut hasher = StableHasher::default();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let dir = root.join(hasher.finish_hex());
        fs::create_dir_all(&dir).map_err(|source| SetupError::Cache { path: dir.clone(), source })?;
        Ok(Self { dir })
    }

    fn path_of(&self, digest: &ComponentDigest) -> PathBuf {
        self.dir.join(format!("{digest}.cwasm"))
    }

    /// The compiled component for `digest`, if the cache holds an intact copy. A damaged
    /// file is removed (and the component will be compiled again).
    pub(crate) fn load(&self, engine: &Engine, digest: &ComponentDigest) -> Option<Component> {
        let path = self.path_of(digest);
        let bytes = fs::read(&path).ok()?;
        let Some(artifact) = verified_artifact(&bytes) else {
            tracing::warn!(path = %path.display(), "discarding a damaged compiled component");
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
        let checksum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&checksum);
        bytes.extend_from_slice(TRAILER_MAGIC);

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

/// The artifact part of a cache file, when its trailer is present and its checksum matches.
fn verified_artifact(bytes: &[u8]) -> Option<&[u8]> {
    let split = bytes.len().checked_sub(TRAILER_LEN)?;
    let (artifact, trailer) = bytes.split_at(split);
    let (checksum, magic) = trailer.split_at(32);
    (magic == TRAILER_MAGIC && Sha256::digest(artifact).as_slice() == checksum).then_some(artifact)
}

/// Loads a compiled component from the cache.
///
/// `Component::deserialize` is unsafe because it maps the bytes as executable code without
/// validating them: whoever can write the bytes can run arbitrary native code in the host.
#[allow(unsafe_code)]
fn deserialize_trusted(engine: &Engine, artifact: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `artifact` comes only from `DiskCache::load`, which reads a file that this
    // module wrote itself: `store` serializes a component that this engine compiled, writes
    // it under a temporary name in the cache directory and renames it into place, so the
    // file at the digest-named path is either absent or complete. `load` checks the SHA-256
    // trailer written with it before calling here, so a truncated or corrupted file never
    // reaches this call. The directory is named by this engine's compatibility hash, and
    // wasmtime additionally checks the artifact's header against the engine. The cache
    // directory belongs to the Attune server (under its data directory); anyone able to
    // write there could equally replace the server binary.
    unsafe { Component::deserialize(engine, artifact) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_are_checked() {
        let mut file = b"artifact".to_vec();
        file.extend_from_slice(&Sha256::digest(b"artifact"));
        file.extend_from_slice(TRAILER_MAGIC);
        assert_eq!(verified_artifact(&file), Some(&b"artifact"[..]));

        let mut corrupted = file.clone();
        corrupted[0] = b'A';
        assert_eq!(verified_artifact(&corrupted), None);
        assert_eq!(verified_artifact(&file[1..]), None, "truncated at the front");
        assert_eq!(verified_artifact(&file[..file.len() - 1]), None, "truncated");
        assert_eq!(verified_artifact(b"short"), None);
    }
}
