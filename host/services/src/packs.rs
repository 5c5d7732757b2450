//! Packs: registration from a path on the server, listing, deletion.

use std::path::{Path, PathBuf};

use attune_domain::pack::Pack;
use attune_domain::page::{Page, PageRequest};
use attune_packs::RegisteredPack;

use crate::{Platform, ServiceError, ServiceResult};

/// A pack as stored, with what its last registration changed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Registration {
    /// The stored pack.
    pub pack: Pack,
    /// What the registration changed.
    pub summary: attune_domain::pack::RegistrationSummary,
}

/// Registers the pack directory at `path` (on the server's filesystem).
pub async fn register(platform: &Platform, path: &str) -> ServiceResult<Registration> {
    let dir = pack_dir(path)?;
    let RegisteredPack { pack_ref, summary } = attune_packs::register_pack(platform.store.as_ref(), &dir).await?;
    let pack = platform.store.get_pack(&pack_ref).await?;
    Ok(Registration { pack, summary })
}

/// Packs, ordered by ref.
pub async fn list(platform: &Platform, page: PageRequest) -> ServiceResult<Page<Pack>> {
    Ok(platform.store.list_packs(page).await?)
}

/// One pack.
pub async fn get(platform: &Platform, pack_ref: &str) -> ServiceResult<Pack> {
    Ok(platform.store.get_pack(pack_ref).await?)
}

/// Deletes a pack and everything it owns; history keeps its refs.
pub async fn delete(platform: &Platform, pack_ref: &str) -> ServiceResult<()> {
    Ok(platform.store.delete_pack(pack_ref).await?)
}

/// Checks a registration path: absolute or relative to the server's working directory, an
/// existing directory.
fn pack_dir(path: &str) -> ServiceResult<PathBuf> {
    if path.trim().is_empty() {
        return Err(ServiceError::field("path", "is required"));
    }
    let dir = Path::new(path);
    if !dir.is_dir() {
        return Err(ServiceError::field("path", format!("{path} is not a directory on the server")));
    }
    Ok(dir.to_path_buf())
}
