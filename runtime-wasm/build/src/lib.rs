//! Building guests: turning what a pack author writes into a component of our WIT worlds.
//!
//! - A component (`.wasm` starting with the component header) is used as is.
//! - A core module (`.wasm`) or WAT text (`.wat`, module or component) is turned into a
//!   component by embedding the world's component-type metadata and running
//!   wit-component's encoder. The module must import our interfaces directly (there is no
//!   WASI preview 1 adapter), and export `run` (action) or `poll` (sensor) with the
//!   canonical ABI, plus `cabi_realloc` when the host must hand it strings.
//! - Python (`.py`) is compiled by componentize-py, when installed (see [`python`]).
//!
//! The runtime (`attune-runtime-wasm`) does the first two on the fly when an entry point
//! needs it, and the third once per source, cached; `attune pack build` calls
//! [`build_file`] to do all of them ahead of time, so that an archived pack carries
//! components. A crate of its own because the client builds guests too, and it must not
//! link the sandbox (wasmtime) to do so: this needs only the wasm-tools crates.

pub mod python;
mod wit;

use std::path::{Path, PathBuf};

use wit_component::{ComponentEncoder, StringEncoding};

pub use python::{PythonBuild, componentize_py_version, locate_componentize_py};
pub use wit::package_digest;
use wit::write_to as write_wit_package;

/// Which world of `attune:automation` a guest implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum World {
    /// An action: exports `run`.
    Action,
    /// A sensor: exports `poll`.
    Sensor,
}

impl World {
    /// The world's name in the WIT package.
    pub fn name(self) -> &'static str {
        match self {
            World::Action => "action",
            World::Sensor => "sensor",
        }
    }

    /// The world's fully qualified name, as tools take it.
    pub fn qualified_name(self) -> &'static str {
        match self {
            World::Action => "attune:automation/action@0.1.0",
            World::Sensor => "attune:automation/sensor@0.1.0",
        }
    }
}

/// A guest could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The WAT text does not parse.
    #[error("invalid WAT: {0}")]
    Wat(String),
    /// The bytes are neither WebAssembly nor text.
    #[error("not WebAssembly: expected a component, a core module or WAT text")]
    NotWasm,
    /// The embedded WIT package failed to resolve (a bug in this build of Attune).
    #[error("the attune:automation WIT package does not resolve: {0}")]
    Wit(String),
    /// The core module does not fit the world (unknown import, missing export...).
    #[error("cannot make a component of the {world} world: {message}")]
    Componentize {
        /// `action` or `sensor`.
        world: &'static str,
        /// wit-component's explanation.
        message: String,
    },
    /// The source file could not be read or the output written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the filesystem said.
        source: std::io::Error,
    },
    /// componentize-py is not installed where we look for it.
    #[error(
        "componentize-py was not found (looked at $ATTUNE_COMPONENTIZE_PY, {tools_dir} and PATH); \
         install it with scripts/install-wasm-tools.sh"
    )]
    ComponentizePyMissing {
        /// The tools directory that was searched.
        tools_dir: String,
    },
    /// componentize-py ran and failed.
    #[error("componentize-py failed ({status}): {stderr}")]
    ComponentizePyFailed {
        /// Its exit status.
        status: String,
        /// What it printed on stderr (its explanation).
        stderr: String,
    },
    /// The file's extension says nothing we can build.
    #[error("cannot build {}: expected a .wasm, .wat or .py file", path.display())]
    UnknownSource {
        /// The file.
        path: PathBuf,
    },
}

/// What the bytes of an entry point are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A component: usable as is.
    Component,
    /// A core WebAssembly module.
    CoreModule,
    /// Text (WAT).
    Text,
}

impl SourceKind {
    /// Classifies `bytes` by their header.
    pub fn of(bytes: &[u8]) -> Self {
        if wasmparser::Parser::is_component(bytes) {
            SourceKind::Component
        } else if wasmparser::Parser::is_core_wasm(bytes) {
            SourceKind::CoreModule
        } else {
            SourceKind::Text
        }
    }
}

/// A component of `world` from a component, a core module or WAT text (module or
/// component). A component is returned unchanged.
pub fn component_from_source(source: &[u8], world: World) -> Result<Vec<u8>, BuildError> {
    let binary;
    let bytes = match SourceKind::of(source) {
        SourceKind::Component => return Ok(source.to_vec()),
        SourceKind::CoreModule => source,
        SourceKind::Text => {
            let text = std::str::from_utf8(source).map_err(|_| BuildError::NotWasm)?;
            binary = wat::parse_str(text).map_err(|e| BuildError::Wat(e.to_string()))?;
            if SourceKind::of(&binary) == SourceKind::Component {
                return Ok(binary);
            }
            &binary
        }
    };
    component_from_module(bytes, world)
}

/// A component of `world` from a core module that imports and exports the world's
/// functions with the canonical ABI.
pub fn component_from_module(module: &[u8], world: World) -> Result<Vec<u8>, BuildError> {
    let (resolve, world_id) = wit::resolve_world(world)?;
    let failed = |e: anyhow::Error| BuildError::Componentize { world: world.name(), message: format!("{e:#}") };
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(&mut module, resolve, world_id, StringEncoding::UTF8).map_err(failed)?;
    ComponentEncoder::default().validate(true).module(&module).map_err(failed)?.encode().map_err(failed)
}

/// Builds the guest at `source` (`.wasm`, `.wat` or `.py`) into a component of `world` at
/// `output`. What `attune pack build` does for each WASM action and sensor.
pub fn build_file(source: &Path, world: World, output: &Path) -> Result<(), BuildError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Io { path, source }
    };
    let extension = source.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "wasm" | "wat" => {
            let bytes = std::fs::read(source).map_err(io(source))?;
            let component = component_from_source(&bytes, world)?;
            std::fs::write(output, component).map_err(io(output))
        }
        "py" => PythonBuild::for_entry_point(source, world)?.build(output),
        _ => Err(BuildError::UnknownSource { path: source.to_path_buf() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources() {
        assert_eq!(SourceKind::of(b"(module)"), SourceKind::Text);
        let module = wat::parse_str("(module)").unwrap();
        assert_eq!(SourceKind::of(&module), SourceKind::CoreModule);
        let component = wat::parse_str("(component)").unwrap();
        assert_eq!(SourceKind::of(&component), SourceKind::Component);
    }

    #[test]
    fn bad_wat_is_reported() {
        let error = component_from_source(b"(module (func", World::Action).expect_err("invalid WAT");
        assert!(matches!(error, BuildError::Wat(_)), "{error}");
    }

    #[test]
    fn a_module_without_the_export_does_not_fit() {
        let error = component_from_source(b"(module)", World::Action).expect_err("run is missing");
        let message = error.to_string();
        assert!(message.contains("action world"), "{message}");
    }
}
