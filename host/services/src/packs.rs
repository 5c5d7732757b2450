//! Packs: registration from a directory on the server, installation from an archive (and
//! of a kept version again), listing, deletion.
//!
//! Registration through the API reads only from under the configured packs directory: a
//! caller who may register packs must not be able to make the server read (and later run)
//! any directory it can name. A path is taken relative to the packs directory; it must
//! resolve to a directory inside it, or be one of its entries (an administrator may link a
//! pack in from elsewhere). Symbolic links inside a pack that lead out of it are refused
//! when the pack is loaded (see `attune_packs`).
//!
//! A pack's permission sets may already be held by identities, so registering a pack again
//! must not hand out more than the registrant holds: every grant a set gains over its
//! stored version must be covered by the caller, or nothing is stored (403). Replacing an
//! existing pack needs `modify` on it.

use std::path::{Component, Path, PathBuf};

use attune_domain::identity::Verb;
use attune_domain::pack::Pack;
use attune_domain::page::{Page, PageRequest};
use attune_packs::{LoadedPack, RegisteredPack};
use attune_store::StoreError;

use crate::auth::Caller;
use crate::rbac::{Need, Permissions};
use crate::{Platform, ServiceError, ServiceResult};

/// A pack as stored, with what its last registration changed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Registration {
    /// The stored pack.
    pub pack: Pack,
    /// What the registration changed.
    pub summary: attune_domain::pack::RegistrationSummary,
}

/// Registers, for `caller`, the pack directory at `path` under `packs_dir`.
pub async fn register(
    platform: &Platform,
    caller: &Caller,
    packs_dir: &Path,
    path: &str,
) -> ServiceResult<Registration> {
    let dir = pack_dir(packs_dir, path)?;
    let store = platform.store.as_ref();
    let loaded = attune_packs::checked_pack(store, &dir).await?;
    require_may_register(platform, caller, &loaded).await?;
    let RegisteredPack { pack_ref, summary } = attune_packs::store_pack(store, &loaded).await?;
    tracing::info!(pack = %pack_ref, by = %caller.login, "pack registered through the API");
    let pack = platform.store.get_pack(&pack_ref).await?;
    Ok(Registration { pack, summary })
}

/// Installs, for `caller`, the pack in archive `bytes` (whose digest must be `expected`
/// when given), unpacking it under `cache`: validated and checked as a registration from a
/// directory is, and stored with the archive kept as a version, all in one transaction.
///
/// Only a caller who may create or change packs somewhere gets the archive unpacked at all
/// (an archive costs disk); the grants on this pack are checked once it is read.
pub async fn install(
    platform: &Platform,
    caller: &Caller,
    cache: &Path,
    bytes: &[u8],
    expected: Option<&str>,
) -> ServiceResult<Registration> {
    if !caller.permissions.allows_somewhere("pack", Verb::Create)
        && !caller.permissions.allows_somewhere("pack", Verb::Modify)
    {
        return Err(ServiceError::Forbidden("installing a pack needs create or modify on pack".into()));
    }
    if bytes.is_empty() {
        return Err(ServiceError::BadRequest("the request body must be a pack archive (.tar.gz)".into()));
    }
    let limits = attune_packs::archive::Limits::default();
    let loaded = attune_packs::load_archive(bytes, expected, cache, &limits, Some(caller.login.clone()))?;
    store_checked(platform, caller, loaded).await
}

/// Installs, for `caller`, a version of `pack_ref` kept in the store (a roll back, or
/// forward): as [`install`] does with that version's archive.
pub async fn install_version(
    platform: &Platform,
    caller: &Caller,
    cache: &Path,
    pack_ref: &str,
    version: &str,
) -> ServiceResult<Registration> {
    caller.require(Need::new("pack", Verb::Modify).in_pack(Some(pack_ref)))?;
    let (kept, bytes) = platform.store.get_pack_version(pack_ref, version).await?;
    let limits = attune_packs::archive::Limits::default();
    let loaded = attune_packs::load_archive(&bytes, Some(&kept.digest), cache, &limits, Some(caller.login.clone()))?;
    store_checked(platform, caller, loaded).await
}

async fn store_checked(platform: &Platform, caller: &Caller, loaded: LoadedPack) -> ServiceResult<Registration> {
    let store = platform.store.as_ref();
    let loaded = attune_packs::checked(store, loaded).await?;
    require_may_register(platform, caller, &loaded).await?;
    let RegisteredPack { pack_ref, summary } = attune_packs::store_pack(store, &loaded).await?;
    let digest = loaded.bundle.archive.as_ref().map(|a| a.digest.as_str()).unwrap_or_default();
    tracing::info!(pack = %pack_ref, digest, by = %caller.login, "pack installed from an archive");
    let pack = platform.store.get_pack(&pack_ref).await?;
    Ok(Registration { pack, summary })
}

/// The versions of a pack kept in the store, newest first.
pub async fn versions(platform: &Platform, pack_ref: &str) -> ServiceResult<Vec<attune_domain::pack::PackVersion>> {
    Ok(platform.store.list_pack_versions(pack_ref).await?)
}

/// One version's archive: its row and bytes.
pub async fn archive(
    platform: &Platform,
    pack_ref: &str,
    version: &str,
) -> ServiceResult<(attune_domain::pack::PackVersion, Vec<u8>)> {
    Ok(platform.store.get_pack_version(pack_ref, version).await?)
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

/// The directory a registration names: `path` (relative to `packs_dir`, or absolute), which
/// must be a directory under `packs_dir` once every link is resolved, or an entry of
/// `packs_dir` itself.
fn pack_dir(packs_dir: &Path, path: &str) -> ServiceResult<PathBuf> {
    let outside = || {
        ServiceError::field(
            "path",
            format!("{path} is not a pack directory under the packs directory ({})", packs_dir.display()),
        )
    };
    if path.trim().is_empty() {
        return Err(ServiceError::field("path", "is required"));
    }
    let root = packs_dir.canonicalize().map_err(|_| outside())?;
    let named = packs_dir.join(path);
    let dir = named.canonicalize().map_err(|_| outside())?;
    if !dir.is_dir() {
        return Err(outside());
    }
    let an_entry = named.parent().and_then(|parent| parent.canonicalize().ok()).is_some_and(|parent| parent == root)
        && named.components().next_back().is_some_and(|last| matches!(last, Component::Normal(_)));
    if (dir.starts_with(&root) && dir != root) || an_entry { Ok(dir) } else { Err(outside()) }
}

/// `Ok` when `caller` may store `loaded`: `modify` on the pack when it exists, and every
/// grant its permission sets gain over their stored versions.
async fn require_may_register(platform: &Platform, caller: &Caller, loaded: &LoadedPack) -> ServiceResult<()> {
    let pack_ref = loaded.pack_ref();
    match platform.store.get_pack(pack_ref).await {
        Ok(_) => caller.require(Need::new("pack", Verb::Modify).in_pack(Some(pack_ref)))?,
        Err(StoreError::NotFound { .. }) => caller.require(Need::new("pack", Verb::Create))?,
        Err(other) => return Err(other.into()),
    }
    for set in &loaded.bundle.permission_sets {
        let stored = match platform.store.get_permission_set(&set.r#ref).await {
            Ok(stored) => stored,
            // A new set is held by nobody yet; assigning it checks its grants.
            Err(StoreError::NotFound { .. }) => continue,
            Err(other) => return Err(other.into()),
        };
        let before = Permissions::from_grants(stored.grants);
        let gained: Vec<_> = set.grants.iter().filter(|grant| !before.covers(grant)).cloned().collect();
        if let Some(grant) = caller.permissions.first_uncovered(&gained) {
            return Err(ServiceError::Forbidden(format!(
                "registering pack '{pack_ref}' again would add {grant} to permission set '{}', which the caller \
                 does not hold; nothing was changed",
                set.r#ref
            )));
        }
    }
    Ok(())
}
