//! Packs on disk: loading, validation and registration.
//!
//! A pack is a directory (SPEC §5): `pack.yaml` plus `actions/`, `triggers/`, `sensors/`,
//! `rules/`, `workflows/`, `policies/` and `permission_sets/` holding one YAML file per
//! component. Loading is strict: unknown keys, malformed refs, invalid parameter schemas and
//! missing entry-point files are all errors, and every problem found is reported with the
//! file it is in. Registration is all or nothing: the store receives the whole validated
//! [`PackBundle`] in one transaction.
//!
//! Module plan:
//! - [`archive`]: a pack's files as one reproducible `.tar.gz` with a manifest of digests,
//!   and the checked opening of archives from anyone.
//! - [`error`]: problems, each naming its file.
//! - `install`: an uploaded archive loaded as a pack to store; an installed pack's files
//!   found (or fetched by digest and unpacked) wherever it runs.
//! - `files`: reading YAML files safely (size limit, located parse errors).
//! - `links`: symbolic links must stay inside the pack.
//! - `manifest`: the file formats, as serde structs that reject unknown keys.
//! - `components`: turning each manifest into its domain form, with per-file validation.
//! - `workflow`: workflow graphs parsed into the domain's typed graph and checked, templates
//!   included.
//! - [`references`]: checks of refs that cross files or packs (rules → triggers/actions,
//!   policies → actions, sensors → triggers).
//! - `register`: load + reference checks + store, in one call.
//!
//! Whatever needs the store (registration, checks against what is registered, fetching an
//! archive by digest) is behind the `store` feature; without it the crate loads,
//! checks and archives packs offline, as `attune pack build` does.

pub mod archive;
mod components;
pub mod error;
mod files;
mod install;
mod links;
mod manifest;
pub mod references;
#[cfg(feature = "store")]
mod register;
mod workflow;

use std::path::{Path, PathBuf};

use attune_domain::pack::PackBundle;

pub use components::policy_from_json;
pub use error::{PackError, Problem};
pub use install::load_archive;
#[cfg(feature = "store")]
pub use install::pack_files;
#[cfg(feature = "store")]
pub use register::{RegisteredPack, checked, checked_pack, register_pack, register_packs_dir, store_pack};

/// A pack read from disk and validated file by file.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    /// The pack's directory.
    pub dir: PathBuf,
    /// Everything it declares.
    pub bundle: PackBundle,
    /// The file each component came from, by (kind, ref), for messages about it.
    pub files: std::collections::BTreeMap<(&'static str, String), String>,
}

impl LoadedPack {
    /// The pack's ref.
    pub fn pack_ref(&self) -> &str {
        self.bundle.pack.as_ref().map(|p| p.r#ref.as_str()).unwrap_or_default()
    }

    /// The file a component came from (relative to the pack), or `pack.yaml`.
    pub fn file_of(&self, kind: &'static str, component_ref: &str) -> String {
        self.files.get(&(kind, component_ref.to_owned())).cloned().unwrap_or_else(|| "pack.yaml".into())
    }
}

/// Reads and validates the pack in `dir`. Every problem found is reported, each with the
/// file it is in (relative to `dir`).
pub fn load_pack(dir: &Path) -> Result<LoadedPack, PackError> {
    components::load(dir)
}
