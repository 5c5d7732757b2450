//! Packs from archives: reading an uploaded archive into a loaded pack ready to store, and
//! finding an installed pack's files wherever it runs.
//!
//! Archives are unpacked under a cache directory, each into the directory named by its
//! digest (`<cache>/<hex>`), opened first into a temporary sibling and renamed into place:
//! a digest's directory is always complete, and never changes (a digest names its bytes).
//! A process that lacks it — a worker on another host, a restarted container — fetches the
//! archive from the store by digest and unpacks it the same way; so roles share nothing
//! but the store.

use std::path::{Path, PathBuf};

use attune_domain::pack::NewPackArchive;
#[cfg(feature = "store")]
use attune_domain::pack::Pack;
use attune_domain::status::RunnerType;
#[cfg(feature = "store")]
use attune_store::Store;

use crate::archive::{self, Limits};
use crate::{LoadedPack, PackError, load_pack};

/// Reads the archive `bytes` (whose digest must be `expected` when given): unpacks it into
/// `cache`, loads and validates the pack, and checks that the manifest names the pack and
/// version its `pack.yaml` declares. The loaded pack's bundle carries the archive, and its
/// path is the unpacked directory.
pub fn load_archive(
    bytes: &[u8],
    expected: Option<&str>,
    cache: &Path,
    limits: &Limits,
    installed_by: Option<String>,
) -> Result<LoadedPack, PackError> {
    let digest = archive::digest(bytes);
    if let Some(expected) = expected
        && expected != digest
    {
        return Err(PackError::single(
            Path::new("archive"),
            "",
            format!("its digest is {digest}, not the {expected} it was sent with"),
        ));
    }
    let (dir, manifest) = unpack(bytes, &digest, cache, limits)?;
    let mut loaded = load_pack(&dir)?;
    let (pack_ref, version) = match &loaded.bundle.pack {
        Some(pack) => (pack.r#ref.clone(), pack.version.clone()),
        None => (String::new(), String::new()),
    };
    if manifest.pack_ref != pack_ref || manifest.version != version {
        return Err(PackError::single(
            &dir,
            archive::MANIFEST,
            format!("names {} {}, but pack.yaml declares {pack_ref} {version}", manifest.pack_ref, manifest.version),
        ));
    }
    run_built_components(&mut loaded, &manifest)?;
    let manifest =
        serde_json::to_value(&manifest).map_err(|e| PackError::single(&dir, archive::MANIFEST, e.to_string()))?;
    if let Some(pack) = loaded.bundle.pack.as_mut() {
        pack.path = Some(dir.display().to_string());
    }
    loaded.bundle.archive = Some(NewPackArchive { digest, manifest, content: bytes.to_vec(), installed_by });
    Ok(loaded)
}

/// Points each WASM action and sensor whose entry point was built into a component
/// (`attune pack build`) at that component, which must be one (the `\0asm` header of a
/// component): what runs is what the author's build produced, and no worker builds it again.
fn run_built_components(loaded: &mut LoadedPack, manifest: &archive::Manifest) -> Result<(), PackError> {
    let dir = loaded.dir.clone();
    let built = |subdir: &str, entry_point: &mut Option<String>| -> Result<(), PackError> {
        let Some(current) = entry_point.as_deref() else { return Ok(()) };
        let Some(component) = manifest.components.get(&format!("{subdir}/{current}")) else { return Ok(()) };
        let Some(relative) = component.strip_prefix(&format!("{subdir}/")) else {
            return Err(PackError::single(
                &dir,
                archive::MANIFEST,
                format!("components: {component} is not in {subdir}/"),
            ));
        };
        let bytes = std::fs::read(dir.join(component)).map_err(|e| PackError::io(&dir.join(component), e))?;
        if !bytes.starts_with(COMPONENT_HEADER) {
            return Err(PackError::single(&dir, component, "a built component must be a WebAssembly component"));
        }
        *entry_point = Some(relative.to_owned());
        Ok(())
    };
    for action in loaded.bundle.actions.iter_mut().filter(|a| a.runner_type == RunnerType::Wasm) {
        built("actions", &mut action.entry_point)?;
    }
    for sensor in loaded.bundle.sensors.iter_mut().filter(|s| s.runner_type == RunnerType::Wasm) {
        built("sensors", &mut sensor.entry_point)?;
    }
    Ok(())
}

/// The first bytes of a WebAssembly component: the magic, then the component-model version
/// and layer.
const COMPONENT_HEADER: &[u8] = b"\0asm\x0d\x00\x01\x00";

/// The directory of archive `digest` under `cache`, unpacked from `bytes` unless it is
/// there already; and its manifest.
fn unpack(
    bytes: &[u8],
    digest: &str,
    cache: &Path,
    limits: &Limits,
) -> Result<(PathBuf, archive::Manifest), PackError> {
    let dir = digest_dir(cache, digest)?;
    std::fs::create_dir_all(cache).map_err(|e| PackError::io(cache, e))?;
    let temporary = cache.join(format!(".unpacking-{}-{}", std::process::id(), unique()));
    let manifest = archive::open(bytes, &temporary, limits)?;
    if dir.exists() {
        // Unpacked before (by this or another process): the same bytes, so the same files.
        let _ = std::fs::remove_dir_all(&temporary);
    } else if let Err(error) = std::fs::rename(&temporary, &dir) {
        let _ = std::fs::remove_dir_all(&temporary);
        if !dir.exists() {
            return Err(PackError::io(&dir, error));
        }
    }
    Ok((dir, manifest))
}

#[cfg(feature = "store")]
/// The directory holding `pack`'s files: where its archive is unpacked (fetched from the
/// store by digest when this process has not unpacked it yet), or the directory it was
/// registered from.
pub async fn pack_files(store: &dyn Store, pack: &Pack, cache: &Path, limits: &Limits) -> Result<PathBuf, PackError> {
    let Some(digest) = &pack.archive_digest else {
        return pack.path.as_deref().map(PathBuf::from).ok_or_else(|| {
            PackError::single(Path::new(&pack.r#ref), "", format!("pack '{}' has no directory", pack.r#ref))
        });
    };
    let dir = digest_dir(cache, digest)?;
    if dir.is_dir() {
        return Ok(dir);
    }
    let bytes = store.get_pack_archive(digest).await?;
    if archive::digest(&bytes) != *digest {
        return Err(PackError::single(&dir, "", format!("the stored archive {digest} does not match its digest")));
    }
    Ok(unpack(&bytes, digest, cache, limits)?.0)
}

/// `<cache>/<hex>` for `sha256:<hex>`; anything else is refused (a digest names a directory).
fn digest_dir(cache: &Path, digest: &str) -> Result<PathBuf, PackError> {
    match digest.strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(cache.join(hex)),
        _ => Err(PackError::single(Path::new("archive"), "", format!("'{digest}' is not a sha256 digest"))),
    }
}

/// A number no other unpacking in this process uses.
fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack_dir(dir: &Path, version: &str) {
        std::fs::create_dir_all(dir.join("actions")).unwrap();
        std::fs::write(dir.join("pack.yaml"), format!("ref: demo\nlabel: Demo\nversion: {version}\n")).unwrap();
        std::fs::write(
            dir.join("actions/hello.yaml"),
            "ref: demo.hello\nrunner_type: shell\nentry_point: hello.sh\nparameters: {}\n",
        )
        .unwrap();
        std::fs::write(dir.join("actions/hello.sh"), "#!/bin/sh\necho hello\n").unwrap();
    }

    #[test]
    fn an_archive_loads_as_its_pack_with_the_archive_kept() {
        let source = tempfile::tempdir().unwrap();
        pack_dir(source.path(), "1.2.0");
        let built = archive::write(source.path(), "demo", "1.2.0", Vec::new()).unwrap();
        let cache = tempfile::tempdir().unwrap();
        let loaded = load_archive(&built.bytes, Some(&built.digest), cache.path(), &Limits::default(), None).unwrap();
        assert_eq!(loaded.pack_ref(), "demo");
        let dir = cache.path().join(built.digest.trim_start_matches("sha256:"));
        assert_eq!(loaded.bundle.pack.as_ref().unwrap().path.as_deref(), Some(dir.to_str().unwrap()));
        assert_eq!(loaded.bundle.archive.as_ref().unwrap().digest, built.digest);
        assert!(dir.join("actions/hello.sh").is_file());
        // Again: the unpacked directory is reused, nothing is left beside it.
        load_archive(&built.bytes, None, cache.path(), &Limits::default(), None).unwrap();
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_wrong_digest_or_a_manifest_naming_another_version_is_refused() {
        let source = tempfile::tempdir().unwrap();
        pack_dir(source.path(), "1.2.0");
        let cache = tempfile::tempdir().unwrap();
        let built = archive::write(source.path(), "demo", "1.2.0", Vec::new()).unwrap();
        let wrong = "sha256:".to_owned() + &"0".repeat(64);
        let error = load_archive(&built.bytes, Some(&wrong), cache.path(), &Limits::default(), None).unwrap_err();
        assert!(error.to_string().contains("not the sha256:000"), "{error}");
        let lying = archive::write(source.path(), "demo", "9.9.9", Vec::new()).unwrap();
        let error = load_archive(&lying.bytes, None, cache.path(), &Limits::default(), None).unwrap_err();
        assert!(error.to_string().contains("names demo 9.9.9, but pack.yaml declares demo 1.2.0"), "{error}");
        assert!(digest_dir(cache.path(), "sha256:../../etc").is_err());
    }

    fn wasm_pack(dir: &Path) {
        std::fs::create_dir_all(dir.join("actions")).unwrap();
        std::fs::write(dir.join("pack.yaml"), "ref: demo\nlabel: Demo\nversion: 1.0.0\n").unwrap();
        std::fs::write(dir.join("actions/echo.yaml"), "ref: demo.echo\nrunner_type: wasm\nentry_point: echo.wat\n")
            .unwrap();
        std::fs::write(dir.join("actions/echo.wat"), "(component)").unwrap();
    }

    #[test]
    fn a_built_component_is_what_the_installed_action_runs() {
        let source = tempfile::tempdir().unwrap();
        wasm_pack(source.path());
        let component = archive::BuiltComponent { source: "actions/echo.wat".into(), bytes: COMPONENT_HEADER.to_vec() };
        let built = archive::write(source.path(), "demo", "1.0.0", vec![component]).unwrap();
        assert_eq!(built.manifest.components["actions/echo.wat"], "actions/echo.wat.wasm");
        let cache = tempfile::tempdir().unwrap();
        let loaded = load_archive(&built.bytes, None, cache.path(), &Limits::default(), None).unwrap();
        assert_eq!(loaded.bundle.actions[0].entry_point.as_deref(), Some("echo.wat.wasm"));
        assert!(loaded.dir.join("actions/echo.wat.wasm").is_file() && loaded.dir.join("actions/echo.wat").is_file());
    }

    #[test]
    fn a_built_component_that_is_not_one_is_refused() {
        let source = tempfile::tempdir().unwrap();
        wasm_pack(source.path());
        let module = archive::BuiltComponent { source: "actions/echo.wat".into(), bytes: b"\0asm\x01\0\0\0".to_vec() };
        let built = archive::write(source.path(), "demo", "1.0.0", vec![module]).unwrap();
        let cache = tempfile::tempdir().unwrap();
        let error = load_archive(&built.bytes, None, cache.path(), &Limits::default(), None).unwrap_err();
        assert!(error.to_string().contains("must be a WebAssembly component"), "{error}");
        // Nor may a component replace a file of the pack.
        std::fs::write(source.path().join("actions/echo.wat.wasm"), "mine").unwrap();
        let component = archive::BuiltComponent { source: "actions/echo.wat".into(), bytes: COMPONENT_HEADER.to_vec() };
        let error = archive::write(source.path(), "demo", "1.0.0", vec![component]).unwrap_err();
        assert!(error.to_string().contains("would replace this file"), "{error}");
        // Nor may an action run a component from another directory of the pack.
        std::fs::remove_file(source.path().join("actions/echo.wat.wasm")).unwrap();
        std::fs::write(source.path().join("pack.yaml.wasm"), COMPONENT_HEADER).unwrap();
        let built = archive::write(source.path(), "demo", "1.0.0", Vec::new()).unwrap();
        let mut manifest = built.manifest.clone();
        manifest.components.insert("actions/echo.wat".into(), "pack.yaml.wasm".into());
        let mut loaded = load_pack(source.path()).unwrap();
        let error = run_built_components(&mut loaded, &manifest).unwrap_err();
        assert!(error.to_string().contains("is not in actions/"), "{error}");
    }
}
