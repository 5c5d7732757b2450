//! A pack's WASM entry points built into components before it is archived.
//!
//! The runtime can run WAT, core modules and Python itself, building them on first use —
//! but only where the build tools are (componentize-py for Python), and a Python build
//! takes seconds. `attune pack build` does it once, on the author's machine, and archives
//! each component beside its source; the server runs the component. Entry points that are
//! components already are archived as they are.
//!
//! componentize-py does not give the same bytes twice for the same sources (it snapshots an
//! initialised interpreter), so Python components are kept in the user's cache
//! (`$XDG_CACHE_HOME/attune/components`, else `~/.cache/attune/components`) under the
//! digest of what the build reads: building an unchanged pack again gives the same archive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use attune_domain::status::RunnerType;
use attune_packs::LoadedPack;
use attune_packs::archive::BuiltComponent;
use attune_wasm_build::{PythonBuild, SourceKind, World};

use crate::failure::Failure;

/// The components built from `loaded`'s WASM actions and sensors whose entry points are
/// not components yet.
pub fn build(loaded: &LoadedPack) -> Result<Vec<BuiltComponent>, Failure> {
    let bundle = &loaded.bundle;
    let actions = bundle.actions.iter().filter(|a| a.runner_type == RunnerType::Wasm);
    let sensors = bundle.sensors.iter().filter(|s| s.runner_type == RunnerType::Wasm);
    let entry_points = actions
        .filter_map(|a| Some(("actions", a.entry_point.as_deref()?, World::Action)))
        .chain(sensors.filter_map(|s| Some(("sensors", s.entry_point.as_deref()?, World::Sensor))));
    let mut sources = BTreeMap::new();
    for (subdir, entry_point, world) in entry_points {
        let source = format!("{subdir}/{entry_point}");
        if let Some(other) = sources.insert(source.clone(), world)
            && other != world
        {
            let path = loaded.dir.join(&source);
            return Err(Failure::file(&path, "one entry point cannot be both an action and a sensor"));
        }
    }
    let scratch = tempfile::tempdir().map_err(|e| Failure::file(&std::env::temp_dir(), e))?;
    let mut built = Vec::new();
    for (source, world) in sources {
        let path = loaded.dir.join(&source);
        let bytes = std::fs::read(&path).map_err(|e| Failure::file(&path, e))?;
        if SourceKind::of(&bytes) == SourceKind::Component {
            continue;
        }
        built.push(BuiltComponent { bytes: component(&path, world, scratch.path())?, source });
    }
    Ok(built)
}

/// The component built from the entry point at `path`.
fn component(path: &Path, world: World, scratch: &Path) -> Result<Vec<u8>, Failure> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("py")) {
        return python_component(path, world);
    }
    let output = scratch.join("component.wasm");
    attune_wasm_build::build_file(path, world, &output).map_err(|e| Failure::file(path, e))?;
    std::fs::read(&output).map_err(|e| Failure::file(&output, e))
}

/// The component of the Python app at `path`: from the cache, or built and kept there.
fn python_component(path: &Path, world: World) -> Result<Vec<u8>, Failure> {
    let build = PythonBuild::for_entry_point(path, world).map_err(|e| Failure::file(path, e))?;
    let key = build.source_key().map_err(|e| Failure::file(path, e))?;
    let dir = cache_dir();
    let cached = dir.join(format!("{}.wasm", hex::encode(key)));
    if let Ok(bytes) = std::fs::read(&cached)
        && SourceKind::of(&bytes) == SourceKind::Component
    {
        return Ok(bytes);
    }
    std::fs::create_dir_all(&dir).map_err(|e| Failure::file(&dir, e))?;
    let temporary = dir.join(format!(".{}.{}.tmp", hex::encode(key), std::process::id()));
    let built = build.build(&temporary).map_err(|e| Failure::file(path, e));
    let bytes = built.and_then(|()| std::fs::read(&temporary).map_err(|e| Failure::file(&temporary, e)));
    let kept = bytes.and_then(|bytes| {
        std::fs::rename(&temporary, &cached).map_err(|e| Failure::file(&cached, e))?;
        Ok(bytes)
    });
    let _ = std::fs::remove_file(&temporary);
    kept
}

/// Where built Python components are kept.
fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("attune").join("components")
}
