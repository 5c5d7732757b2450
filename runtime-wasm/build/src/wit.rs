//! The `attune:automation` WIT package, compiled into the binary.
//!
//! Building a guest needs the WIT it targets: WAT guests get it embedded as component-type
//! metadata, Python guests are generated against it by componentize-py. Embedding the files
//! keeps `attune pack build` and the runtime independent of where the repository is.

use std::path::Path;
use std::sync::OnceLock;

use sha2::Digest;

use wit_parser::{PackageId, Resolve, SourceMap, WorldId};

use super::{BuildError, World};

/// `(path relative to wit/, contents)` of the package's own files.
const PACKAGE_FILES: &[(&str, &str)] = &[
    ("types.wit", include_str!("../../../wit/types.wit")),
    ("log.wit", include_str!("../../../wit/log.wit")),
    ("secrets.wit", include_str!("../../../wit/secrets.wit")),
    ("config.wit", include_str!("../../../wit/config.wit")),
    ("kv.wit", include_str!("../../../wit/kv.wit")),
    ("artifacts.wit", include_str!("../../../wit/artifacts.wit")),
    ("worlds.wit", include_str!("../../../wit/worlds.wit")),
];

/// The WASI 0.2 packages it depends on, in dependency order.
const DEPENDENCY_FILES: &[(&str, &str)] = &[
    ("deps/io/package.wit", include_str!("../../../wit/deps/io/package.wit")),
    ("deps/clocks/package.wit", include_str!("../../../wit/deps/clocks/package.wit")),
    ("deps/random/package.wit", include_str!("../../../wit/deps/random/package.wit")),
    ("deps/filesystem/package.wit", include_str!("../../../wit/deps/filesystem/package.wit")),
    ("deps/sockets/package.wit", include_str!("../../../wit/deps/sockets/package.wit")),
    ("deps/cli/package.wit", include_str!("../../../wit/deps/cli/package.wit")),
    ("deps/http/package.wit", include_str!("../../../wit/deps/http/package.wit")),
];

/// The parsed package and the id of `world` in it. Parsed once per process: the package
/// and its WASI dependencies are a few thousand lines.
pub(crate) fn resolve_world(world: World) -> Result<(&'static Resolve, WorldId), BuildError> {
    static PARSED: OnceLock<Result<(Resolve, PackageId), String>> = OnceLock::new();
    let (resolve, package) = PARSED.get_or_init(resolve).as_ref().map_err(|e| BuildError::Wit(e.clone()))?;
    let world_id =
        resolve.select_world(&[*package], Some(world.name())).map_err(|e| BuildError::Wit(format!("{e:#}")))?;
    Ok((resolve, world_id))
}

fn resolve() -> Result<(Resolve, PackageId), String> {
    let mut resolve = Resolve::new();
    for (path, contents) in DEPENDENCY_FILES {
        resolve.push_source(path, contents).map_err(|e| format!("{path}: {e:#}"))?;
    }
    let mut package = SourceMap::new();
    for (path, contents) in PACKAGE_FILES {
        package.push_str(path, *contents);
    }
    let group = package.parse().map_err(|(_, e)| e.to_string())?;
    let id = resolve.push_group(group).map_err(|e| e.to_string())?;
    Ok((resolve, id))
}

/// Writes the package (with its `deps/`) under `dir`, for tools that read WIT from disk.
pub(crate) fn write_to(dir: &Path) -> std::io::Result<()> {
    for (path, contents) in PACKAGE_FILES.iter().chain(DEPENDENCY_FILES) {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, contents)?;
    }
    Ok(())
}

/// A digest of the whole package: part of the key of anything built against it.
pub fn package_digest() -> [u8; 32] {
    let mut all = Vec::new();
    for (path, contents) in PACKAGE_FILES.iter().chain(DEPENDENCY_FILES) {
        all.extend_from_slice(path.as_bytes());
        all.push(0);
        all.extend_from_slice(contents.as_bytes());
        all.push(0);
    }
    sha2::Sha256::digest(&all).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_worlds_resolve() {
        for world in [World::Action, World::Sensor] {
            let (resolve, id) = resolve_world(world).expect("the WIT package resolves");
            assert_eq!(resolve.worlds[id].name, world.name());
        }
    }

    #[test]
    fn every_file_of_the_package_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".wit"))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<&str> = PACKAGE_FILES.iter().map(|(path, _)| *path).collect();
        built_in.sort();
        assert_eq!(on_disk, built_in, "a file of wit/ missing from PACKAGE_FILES (or one gone)");
    }
}
