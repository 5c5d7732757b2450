//! The handles every service shares.

use std::sync::Arc;

use attune_bus::Bus;
use attune_security::{Cipher, TokenIssuer};
use attune_store::Store;

use crate::artifact_files::ArtifactFiles;

/// Shared handles: cheap to clone, passed to every service (never global).
#[derive(Clone)]
pub struct Platform {
    /// The source of truth.
    pub store: Arc<dyn Store>,
    /// Issues and verifies tokens.
    pub tokens: TokenIssuer,
    /// Encrypts secrets at rest.
    pub cipher: Cipher,
    /// Carries hints of work to the other roles.
    pub bus: Arc<dyn Bus>,
    /// Where file artifacts' bytes are kept when `artifacts.dir` is set (else in the store).
    pub artifact_files: Option<ArtifactFiles>,
}
