//! What every handler shares.

use attune_services::Platform;

/// Handler state: cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    /// Store, tokens and cipher.
    pub platform: Platform,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
}
