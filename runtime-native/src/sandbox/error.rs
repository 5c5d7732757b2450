//! Why a process could not be confined.

use std::path::PathBuf;

/// Why the sandbox cannot confine a process, or is not available at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// The helper binary is not where it was looked for.
    #[error(
        "the sandbox helper `attune-sandbox` was not found ({searched}); build it with \
         `cargo build -p attune-runtime-native --bin attune-sandbox` and install it beside \
         `attune`, or set runtimes.native.sandbox.helper"
    )]
    HelperNotFound {
        /// Where it was looked for.
        searched: String,
    },
    /// The configured user cannot be used.
    #[error("{0}")]
    RunAs(String),
    /// A path the process must see cannot be made visible.
    #[error("{}: {reason}", path.display())]
    Path {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// This host cannot confine processes: what is missing.
    #[error(
        "native actions cannot be sandboxed on this host: {0}; fix the host (see \
         docs/security.md) or set runtimes.native.sandbox.enabled: false to run them \
         unconfined"
    )]
    Unavailable(String),
    /// The report directory could not be set up.
    #[error("the sandbox's report directory: {0}")]
    Reports(String),
}
