//! What every handler shares.

use attune_services::Platform;

/// Handler state: cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    /// Store, tokens and cipher.
    pub platform: Platform,
    /// The only place packs are registered from through the API.
    pub packs_dir: std::path::PathBuf,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// What the native sandbox of this process's worker was found to be at start-up
    /// (shown by `/health`); `None` in a process that runs no worker.
    pub sandbox: Option<serde_json::Value>,
}
