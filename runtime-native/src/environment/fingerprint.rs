//! When an environment must be rebuilt.
//!
//! An environment is built from a few files of the pack (`requirements.txt`, or
//! `package.json` and its lock file) with one interpreter. The SHA-256 of those files'
//! contents and the interpreter's path is written into the environment as its last build
//! step; an environment whose marker is missing (a build that died half-way) or different
//! (the pack changed, the interpreter moved) is rebuilt.

use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::EnvironmentRecipe;

/// The file inside an environment holding the fingerprint it was built for.
const MARKER: &str = ".attune-environment";

/// The fingerprint of the environment `recipe` would build for the pack in `pack_dir`.
pub(crate) fn fingerprint(recipe: &dyn EnvironmentRecipe, pack_dir: &Path) -> io::Result<String> {
    let mut hash = Sha256::new();
    hash.update(recipe.name().as_bytes());
    hash.update([0]);
    hash.update(recipe.tool_identity().as_bytes());
    for file in std::iter::once(recipe.manifest()).chain(recipe.companions().iter().copied()) {
        hash.update([0]);
        hash.update(file.as_bytes());
        match std::fs::read(pack_dir.join(file)) {
            Ok(contents) => {
                hash.update([1]);
                hash.update((contents.len() as u64).to_le_bytes());
                hash.update(&contents);
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => hash.update([2]),
            Err(error) => return Err(error),
        }
    }
    Ok(hex::encode(hash.finalize()))
}

/// True when `dir` holds a complete build for `fingerprint` that still works.
pub(crate) fn is_current(dir: &Path, fingerprint: &str, recipe: &dyn EnvironmentRecipe) -> bool {
    std::fs::read_to_string(dir.join(MARKER)).is_ok_and(|marker| marker == fingerprint) && recipe.is_intact(dir)
}

/// Records that `dir` is a complete build for `fingerprint`.
pub(crate) fn mark_current(dir: &Path, fingerprint: &str) -> io::Result<()> {
    // Write then rename, so a reader never sees half a marker.
    let partial = dir.join(format!("{MARKER}.partial"));
    std::fs::write(&partial, fingerprint)?;
    std::fs::rename(partial, dir.join(MARKER))
}
