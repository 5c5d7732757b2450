//! From an entry point on disk to a pre-instantiated component, as cheaply as possible.
//!
//! 1. The entry point's file stamp (size, modification time) maps to the digest of its
//!    component, so an unchanged file is neither read nor hashed again.
//! 2. The digest maps to an `InstancePre` (imports resolved, exports looked up): the only
//!    per-execution work left is instantiating it in a fresh store.
//! 3. On a miss, the component is loaded from the [`DiskCache`] or, failing that, compiled
//!    and stored there. Concurrent requests for the same component wait for one compile.
//!
//! Entry points may be components, core modules or WAT (componentized on the fly, see
//! [`crate::build`]) or Python (built with componentize-py once, the result kept under
//! `<cache_dir>/python/`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::OnceCell;
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

use crate::bindings::{action::ActionPre, sensor::SensorPre};
use crate::build::{self, World};
use crate::cache::DiskCache;
use crate::digest::ComponentDigest;
use crate::error::SetupError;
use crate::host::HostState;
use crate::python_cache::PythonCache;
use crate::seal::CacheKey;

/// A component ready to instantiate, for the world it was prepared for.
#[derive(Clone)]
pub(crate) enum Prepared {
    /// An action.
    Action(ActionPre<HostState>),
    /// A sensor.
    Sensor(SensorPre<HostState>),
}

/// Counters of how components were obtained (observable in tests and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComponentStats {
    /// Components compiled with Cranelift.
    pub compiled: u64,
    /// Components loaded from the on-disk cache.
    pub loaded_from_disk: u64,
}

/// The size and modification time of a file: when both are unchanged, so is the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

type PreparedCell = Arc<OnceCell<Prepared>>;

/// Every component this runtime has prepared.
pub(crate) struct ComponentRegistry {
    engine: Engine,
    linker: Linker<HostState>,
    disk: Arc<DiskCache>,
    python: PythonCache,
    digests: Mutex<HashMap<(PathBuf, World), (FileStamp, ComponentDigest)>>,
    prepared: Mutex<HashMap<(ComponentDigest, World), PreparedCell>>,
    compiled: Arc<AtomicU64>,
    loaded_from_disk: Arc<AtomicU64>,
}

impl ComponentRegistry {
    /// A registry compiling with `engine`, linking with `linker`, caching under `cache_dir`
    /// in files sealed with `key`.
    pub(crate) fn new(
        engine: Engine,
        linker: Linker<HostState>,
        cache_dir: &Path,
        key: &CacheKey,
    ) -> Result<Self, SetupError> {
        let disk = Arc::new(DiskCache::open(cache_dir, &engine, key.clone())?);
        Ok(Self {
            engine,
            linker,
            disk,
            python: PythonCache::new(cache_dir.join("python"), key.clone()),
            digests: Mutex::default(),
            prepared: Mutex::default(),
            compiled: Arc::default(),
            loaded_from_disk: Arc::default(),
        })
    }

    /// How components were obtained so far.
    pub(crate) fn stats(&self) -> ComponentStats {
        ComponentStats {
            compiled: self.compiled.load(Ordering::Relaxed),
            loaded_from_disk: self.loaded_from_disk.load(Ordering::Relaxed),
        }
    }

    /// The prepared component of `entry_point` for `world`.
    pub(crate) async fn prepare(&self, entry_point: &Path, world: World) -> Result<Prepared, SetupError> {
        let read_error = |source| SetupError::ReadEntryPoint { path: entry_point.to_path_buf(), source };
        let metadata = std::fs::metadata(entry_point).map_err(read_error)?;
        let stamp = FileStamp { len: metadata.len(), modified: metadata.modified().ok() };
        let key = (entry_point.to_path_buf(), world);
        let known = self.digests.lock().expect("registry lock").get(&key).copied();
        if let Some((known_stamp, digest)) = known
            && known_stamp == stamp
            && let Some(prepared) = self.ready(digest, world)
        {
            return Ok(prepared);
        }

        let component = self.component_bytes(entry_point, world).await?;
        let digest = ComponentDigest::of(&component);
        self.digests.lock().expect("registry lock").insert(key, (stamp, digest));
        let cell = self.prepared.lock().expect("registry lock").entry((digest, world)).or_default().clone();
        cell.get_or_try_init(|| self.compile_and_link(digest, component, world)).await.cloned()
    }

    fn ready(&self, digest: ComponentDigest, world: World) -> Option<Prepared> {
        let prepared = self.prepared.lock().expect("registry lock");
        prepared.get(&(digest, world))?.get().cloned()
    }

    /// The component bytes of `entry_point`: as is, componentized, or built from Python.
    async fn component_bytes(&self, entry_point: &Path, world: World) -> Result<Vec<u8>, SetupError> {
        let is_python = entry_point.extension().is_some_and(|e| e.eq_ignore_ascii_case("py"));
        if is_python {
            return self.python.component(entry_point, world).await;
        }
        let source = tokio::fs::read(entry_point)
            .await
            .map_err(|source| SetupError::ReadEntryPoint { path: entry_point.to_path_buf(), source })?;
        build::component_from_source(&source, world)
            .map_err(|source| SetupError::Build { path: entry_point.to_path_buf(), source })
    }

    /// Loads from disk or compiles (on a blocking thread: Cranelift is CPU-bound), then
    /// resolves imports and exports for `world`.
    async fn compile_and_link(
        &self,
        digest: ComponentDigest,
        bytes: Vec<u8>,
        world: World,
    ) -> Result<Prepared, SetupError> {
        let engine = self.engine.clone();
        let disk = self.disk.clone();
        let compiled = self.compiled.clone();
        let loaded = self.loaded_from_disk.clone();
        let component = tokio::task::spawn_blocking(move || {
            if let Some(component) = disk.load(&engine, &digest) {
                loaded.fetch_add(1, Ordering::Relaxed);
                return Ok(component);
            }
            let component = Component::new(&engine, &bytes).map_err(|e| SetupError::Compile(format!("{e:#}")))?;
            compiled.fetch_add(1, Ordering::Relaxed);
            if let Err(error) = disk.store(&digest, &component) {
                // Still usable; only the next restart pays the compile again.
                tracing::warn!(%error, "cannot cache a compiled component");
            }
            Ok::<_, SetupError>(component)
        })
        .await
        .map_err(|e| SetupError::Internal(e.to_string()))??;

        let link_error = |e: wasmtime::Error| SetupError::Link { world: world.name(), message: format!("{e:#}") };
        let pre = self.linker.instantiate_pre(&component).map_err(link_error)?;
        Ok(match world {
            World::Action => Prepared::Action(ActionPre::new(pre).map_err(link_error)?),
            World::Sensor => Prepared::Sensor(SensorPre::new(pre).map_err(link_error)?),
        })
    }
}
