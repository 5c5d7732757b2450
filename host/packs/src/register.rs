//! Registration: load, check references, store in one transaction.

use std::path::{Path, PathBuf};

use attune_domain::pack::RegistrationSummary;
use attune_store::{Store, StoreError};
use serde::Serialize;

use crate::references::check_references;
use crate::{LoadedPack, PackError, load_pack};

/// A pack that was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredPack {
    /// The pack's ref.
    pub pack_ref: String,
    /// What changed.
    pub summary: RegistrationSummary,
}

/// Loads the pack in `dir`, checks it against what is registered, and stores it: all of it,
/// or (on any problem) nothing.
pub async fn register_pack(store: &dyn Store, dir: &Path) -> Result<RegisteredPack, PackError> {
    let loaded = checked_pack(store, dir).await?;
    store_pack(store, &loaded).await
}

/// Loads the pack in `dir` and checks its references against what is registered, without
/// storing anything: for callers that decide whether it may be stored ([`store_pack`]).
pub async fn checked_pack(store: &dyn Store, dir: &Path) -> Result<LoadedPack, PackError> {
    checked(store, load_pack(dir)?).await
}

/// Checks the references of a pack loaded otherwise (from an archive) against what is
/// registered.
pub async fn checked(store: &dyn Store, loaded: LoadedPack) -> Result<LoadedPack, PackError> {
    let problems = check_references(store, &loaded).await?;
    if !problems.is_empty() {
        return Err(PackError::Invalid { dir: loaded.dir.display().to_string(), problems });
    }
    Ok(loaded)
}

/// Stores a pack [`checked_pack`] loaded, in one transaction.
pub async fn store_pack(store: &dyn Store, loaded: &LoadedPack) -> Result<RegisteredPack, PackError> {
    let dir = &loaded.dir;
    let summary = store.register_pack(&loaded.bundle).await.map_err(|error| match error {
        // Something the checks saw disappeared in between (a concurrent delete).
        StoreError::UnknownReference(message) => PackError::single(dir, "", message),
        other => PackError::Store(other),
    })?;
    tracing::info!(
        pack = loaded.pack_ref(),
        created = summary.created,
        updated = summary.updated,
        deleted = summary.deleted,
        "registered pack"
    );
    Ok(RegisteredPack { pack_ref: loaded.pack_ref().to_owned(), summary })
}

/// Registers every pack directory (one with a `pack.yaml`) under `packs_dir`. Packs may
/// refer to each other, so registration repeats over the ones that failed for as long as
/// that makes progress; the result lists each directory with its outcome.
pub async fn register_packs_dir(
    store: &dyn Store,
    packs_dir: &Path,
) -> std::io::Result<Vec<(PathBuf, Result<RegisteredPack, PackError>)>> {
    let mut pending: Vec<PathBuf> = std::fs::read_dir(packs_dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("pack.yaml").is_file())
        .collect();
    // `core` first: every other pack builds on its triggers and actions.
    pending.sort_by_key(|path| (path.file_name().is_none_or(|n| n != "core"), path.clone()));

    let mut outcomes = Vec::new();
    loop {
        let mut failed = Vec::new();
        let mut progressed = false;
        for dir in pending {
            match register_pack(store, &dir).await {
                Ok(registered) => {
                    progressed = true;
                    outcomes.push((dir, Ok(registered)));
                }
                Err(error) => failed.push((dir, error)),
            }
        }
        if failed.is_empty() || !progressed {
            outcomes.extend(failed.into_iter().map(|(dir, error)| (dir, Err(error))));
            return Ok(outcomes);
        }
        pending = failed.into_iter().map(|(dir, _)| dir).collect();
    }
}
