//! Errors of the host side: the runtime could not be set up, or a component could not be
//! loaded. What goes wrong *inside* an execution is not an error here but a
//! [`attune_runtime_api::Failure`] in the outcome.

use std::path::PathBuf;

/// The runtime or a component could not be prepared. Reported to executions as
/// `setup_failed` with this message.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The wasmtime engine rejected its configuration.
    #[error("cannot create the WebAssembly engine: {0}")]
    Engine(String),
    /// The component cache directory is unusable.
    #[error("component cache {}: {source}", path.display())]
    Cache {
        /// The directory or file involved.
        path: PathBuf,
        /// What the filesystem said.
        source: std::io::Error,
    },
    /// The entry point could not be read.
    #[error("cannot read entry point {}: {source}", path.display())]
    ReadEntryPoint {
        /// The entry point.
        path: PathBuf,
        /// What the filesystem said.
        source: std::io::Error,
    },
    /// The entry point could not be turned into a component (bad WAT, a core module that
    /// does not fit the world...).
    #[error("cannot build a component from {}: {source}", path.display())]
    Build {
        /// The entry point.
        path: PathBuf,
        /// Why.
        source: crate::build::BuildError,
    },
    /// wasmtime rejected the component (invalid binary, unsupported feature).
    #[error("invalid component: {0}")]
    Compile(String),
    /// The component does not fit the world: a missing export, an import the host does not
    /// provide, a mismatched signature.
    #[error("the component does not fit the attune:automation/{world} world: {message}")]
    Link {
        /// `action` or `sensor`.
        world: &'static str,
        /// What did not fit.
        message: String,
    },
    /// A host-side task failed unexpectedly (a panic in a compile thread).
    #[error("internal error: {0}")]
    Internal(String),
}
