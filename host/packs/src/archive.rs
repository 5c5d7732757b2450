//! Pack archives (SPEC §7a): one reproducible `.tar.gz` per pack version, and the only way
//! a pack's files travel between machines.
//!
//! **Writing.** Every file under the pack directory is taken in path order (directories
//! are implied by the paths; dotfiles, `dist/`, `__pycache__/` and `node_modules/` are not
//! pack content), each with a header that holds nothing of the machine it was built on:
//! mtime 0, owner 0:0 without names, mode 0644 or 0755 (executable). The first member,
//! [`MANIFEST`], lists every file's path, size, mode and SHA-256. The gzip header carries no
//! name and no time. Same files in, same bytes out — so the archive's SHA-256, its
//! *digest*, names a version of the pack.
//!
//! **Opening** is for archives from anyone: an upload, a registry, a store row another
//! process wrote. Members are never unpacked by the tar library; each is checked and written
//! here: only regular files (no links of any kind, devices or FIFOs; directories are
//! skipped), relative paths of plain components (no `/`-rooted path, no `..`), at most
//! [`Limits::path_bytes`] long, each at most [`Limits::member_bytes`] and all at most
//! [`Limits::total_bytes`] once decompressed (a compressed bomb stops there), at most
//! [`Limits::members`] of them, and every one listed in the manifest with the digest it
//! has — nothing missing, nothing extra, nothing twice. A failed open leaves no directory.
//!
//! **Built components.** `attune pack build` compiles each WASM entry point that is not a
//! component yet (WAT, a core module, Python) and archives the component beside its
//! source as `<source>.wasm` (`actions/hello.py` → `actions/hello.py.wasm`); the manifest's
//! `components` maps each source to its component, and an install runs the component
//! (see `install`). Workers then need no build tools and do no first-run build.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::PackError;

/// The manifest's name: the archive's first member.
pub const MANIFEST: &str = "attune-pack.json";

/// The manifest format written and understood.
pub const FORMAT: u32 = 1;

/// The largest manifest read.
const MANIFEST_BYTES: u64 = 4 << 20;

/// What an archive may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The compressed archive.
    pub archive_bytes: u64,
    /// One member, decompressed.
    pub member_bytes: u64,
    /// All members, decompressed.
    pub total_bytes: u64,
    /// Members (files and directories).
    pub members: usize,
    /// A member's path.
    pub path_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            archive_bytes: 64 << 20,
            member_bytes: 64 << 20,
            total_bytes: 256 << 20,
            members: 10_000,
            path_bytes: 255,
        }
    }
}

/// The manifest: which pack, and every file with its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The pack's ref.
    #[serde(rename = "ref")]
    pub pack_ref: String,
    /// The pack's version.
    pub version: String,
    /// Every file, in path order.
    pub files: Vec<FileEntry>,
    /// Built components: source path → the component built from it (both listed in
    /// [`Manifest::files`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, String>,
}

/// A component built from one of a pack's entry points, to archive beside its source.
#[derive(Debug, Clone)]
pub struct BuiltComponent {
    /// The source's path in the pack (`actions/hello.py`).
    pub source: String,
    /// The component's bytes.
    pub bytes: Vec<u8>,
}

impl BuiltComponent {
    /// Where the component is archived: `<source>.wasm`.
    pub fn path(&self) -> String {
        format!("{}.wasm", self.source)
    }
}

/// One file of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative to the pack directory, `/`-separated.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Whether it is executable (mode 0755 rather than 0644).
    #[serde(default)]
    pub executable: bool,
}

/// A written archive.
#[derive(Debug, Clone)]
pub struct Archive {
    /// The `.tar.gz` bytes.
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of [`Archive::bytes`].
    pub digest: String,
    /// What it holds.
    pub manifest: Manifest,
}

impl Archive {
    /// The archive's conventional file name: `<ref>-<version>.tar.gz`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.tar.gz", self.manifest.pack_ref, self.manifest.version)
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Names under a pack directory that are not pack content.
fn excluded(name: &str, top_level: bool) -> bool {
    name.starts_with('.') || name == "__pycache__" || name == "node_modules" || (top_level && name == "dist")
}

/// Where an archived file's bytes come from.
enum Content {
    /// A file of the pack directory.
    File(PathBuf),
    /// A component built from one.
    Built(Vec<u8>),
}

/// Writes the archive of the pack `pack_ref` `version` in `dir`, with `built` components
/// beside their sources. Symbolic links were checked to stay inside the pack when it was
/// loaded; their targets' contents are archived under the link's name.
pub fn write(dir: &Path, pack_ref: &str, version: &str, built: Vec<BuiltComponent>) -> Result<Archive, PackError> {
    let mut on_disk = BTreeMap::new();
    collect(dir, dir, &mut on_disk)?;
    let mut files: BTreeMap<String, Content> =
        on_disk.into_iter().map(|(path, file)| (path, Content::File(file))).collect();
    let mut components = BTreeMap::new();
    for component in built {
        let path = component.path();
        if !files.contains_key(&component.source) {
            return Err(PackError::single(dir, &component.source, "a built component's source is not in the pack"));
        }
        if files.insert(path.clone(), Content::Built(component.bytes)).is_some() {
            return Err(PackError::single(
                dir,
                &path,
                format!("the component built from {} would replace this file", component.source),
            ));
        }
        components.insert(component.source, path);
    }
    let mut entries = Vec::with_capacity(files.len());
    let mut contents = Vec::with_capacity(files.len());
    for (path, content) in files {
        let (bytes, executable) = match content {
            Content::File(file) => (std::fs::read(&file).map_err(|e| PackError::io(&file, e))?, is_executable(&file)),
            Content::Built(bytes) => (bytes, false),
        };
        entries.push(FileEntry {
            path,
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            executable,
        });
        contents.push(bytes);
    }
    let manifest = Manifest {
        format: FORMAT,
        pack_ref: pack_ref.to_owned(),
        version: version.to_owned(),
        files: entries,
        components,
    };
    let manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| PackError::single(dir, MANIFEST, e.to_string()))?;

    let gzip = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut append = |path: &str, bytes: &[u8], executable: bool| -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(if executable { 0o755 } else { 0o644 });
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, bytes)
    };
    let failed = |e: std::io::Error| PackError::io(dir, e);
    append(MANIFEST, &manifest_bytes, false).map_err(failed)?;
    for (entry, bytes) in manifest.files.iter().zip(&contents) {
        append(&entry.path, bytes, entry.executable).map_err(failed)?;
    }
    let bytes = tar.into_inner().and_then(|gzip| gzip.finish()).map_err(failed)?;
    Ok(Archive { digest: digest(&bytes), bytes, manifest })
}

/// Every file under `dir` by its `/`-separated path relative to `root`.
fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, PathBuf>) -> Result<(), PackError> {
    let entries = std::fs::read_dir(dir).map_err(|e| PackError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| PackError::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(PackError::single(root, relative(root, &entry.path()), "file names must be UTF-8"));
        };
        if excluded(name, dir == root) {
            continue;
        }
        let path = entry.path();
        // Links were checked to stay in the pack; follow them.
        let metadata = std::fs::metadata(&path).map_err(|e| PackError::io(&path, e))?;
        if metadata.is_dir() {
            collect(root, &path, files)?;
        } else if metadata.is_file() {
            files.insert(relative(root, &path), path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// Opens the archive `bytes` into `dest` (which must not exist; it is created, and removed
/// again when anything is wrong) and returns its manifest.
pub fn open(bytes: &[u8], dest: &Path, limits: &Limits) -> Result<Manifest, PackError> {
    if dest.exists() {
        return Err(PackError::single(dest, "", "the destination exists already"));
    }
    std::fs::create_dir_all(dest).map_err(|e| PackError::io(dest, e))?;
    let opened = unpack(bytes, dest, limits).and_then(|manifest| {
        readable_dirs(dest).map_err(|e| PackError::io(dest, e))?;
        Ok(manifest)
    });
    if opened.is_err() {
        let _ = std::fs::remove_dir_all(dest);
    }
    opened
}

/// Gives every directory under `dir` mode 0755, whatever the process's umask: a sandboxed
/// action may run as another user, and must be able to read its pack.
fn readable_dirs(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            readable_dirs(&entry.path())?;
        }
    }
    Ok(())
}

/// The checks and writes of [`open`]; errors name the member.
fn unpack(bytes: &[u8], dest: &Path, limits: &Limits) -> Result<Manifest, PackError> {
    let refuse = |member: &str, message: String| PackError::single(Path::new("archive"), member, message);
    if bytes.len() as u64 > limits.archive_bytes {
        return Err(refuse("", format!("the archive is larger than {} bytes", limits.archive_bytes)));
    }
    // The decompressed stream is cut one byte past the total limit: a bomb stops there.
    let stream = flate2::read::GzDecoder::new(bytes).take(limits.total_bytes + 1);
    let mut archive = tar::Archive::new(stream);
    let entries = archive.entries().map_err(|e| refuse("", format!("not a pack archive: {e}")))?;
    let mut manifest: Option<(Manifest, BTreeMap<String, FileEntry>)> = None;
    let mut written = std::collections::BTreeSet::new();
    let mut total = 0u64;
    for (count, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| refuse("", format!("not a pack archive: {e}")))?;
        if count >= limits.members {
            return Err(refuse("", format!("more than {} members", limits.members)));
        }
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8(raw).map_err(|_| refuse("", "a member's path is not UTF-8".into()))?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(refuse(&name, format!("only regular files may be archived, not {kind:?}")));
        }
        let path = member_path(&name, limits).map_err(|message| refuse(&name, message))?;
        let size = entry.size();
        if size > limits.member_bytes {
            return Err(refuse(&name, format!("larger than {} bytes", limits.member_bytes)));
        }
        total += size;
        if total > limits.total_bytes {
            return Err(refuse(&name, format!("the archive holds more than {} bytes", limits.total_bytes)));
        }

        let Some((_, listed)) = &manifest else {
            if name != MANIFEST {
                return Err(refuse(&name, format!("the first member must be {MANIFEST}")));
            }
            if size > MANIFEST_BYTES {
                return Err(refuse(&name, format!("larger than {MANIFEST_BYTES} bytes")));
            }
            let mut text = Vec::new();
            entry.read_to_end(&mut text).map_err(|e| refuse(&name, e.to_string()))?;
            let parsed: Manifest = serde_json::from_slice(&text).map_err(|e| refuse(&name, e.to_string()))?;
            if parsed.format != FORMAT {
                return Err(refuse(&name, format!("format {} is not understood (expected {FORMAT})", parsed.format)));
            }
            let mut by_path = BTreeMap::new();
            for file in &parsed.files {
                member_path(&file.path, limits)
                    .map_err(|message| refuse(MANIFEST, format!("{}: {message}", file.path)))?;
                if by_path.insert(file.path.clone(), file.clone()).is_some() {
                    return Err(refuse(MANIFEST, format!("{} is listed twice", file.path)));
                }
            }
            for (source, component) in &parsed.components {
                if !by_path.contains_key(source) || !by_path.contains_key(component) {
                    return Err(refuse(MANIFEST, format!("components: {source} → {component} names an unlisted file")));
                }
            }
            manifest = Some((parsed, by_path));
            continue;
        };
        let Some(expected) = listed.get(&name) else {
            return Err(refuse(&name, "not listed in the manifest".into()));
        };
        if !written.insert(name.clone()) {
            return Err(refuse(&name, "archived twice".into()));
        }
        if expected.size != size {
            return Err(refuse(&name, format!("{size} bytes, the manifest says {}", expected.size)));
        }
        let target = dest.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PackError::io(parent, e))?;
        }
        let actual =
            write_member(&mut entry, &target, expected.executable).map_err(|e| refuse(&name, e.to_string()))?;
        if actual != expected.sha256 {
            return Err(refuse(&name, "its SHA-256 differs from the manifest's".into()));
        }
    }
    let Some((manifest, listed)) = manifest else {
        return Err(refuse("", format!("no {MANIFEST}: not a pack archive")));
    };
    if let Some(missing) = listed.keys().find(|path| !written.contains(*path)) {
        return Err(refuse(missing, "listed in the manifest but not archived".into()));
    }
    Ok(manifest)
}

/// A member's path as a relative path of plain components, or why it is refused.
fn member_path(name: &str, limits: &Limits) -> Result<PathBuf, String> {
    if name.len() > limits.path_bytes {
        return Err(format!("its path is longer than {} bytes", limits.path_bytes));
    }
    let path = Path::new(name);
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("its path climbs out of the pack (..)".into()),
            Component::RootDir | Component::Prefix(_) => return Err("its path is absolute".into()),
        }
    }
    if clean.as_os_str().is_empty() {
        return Err("its path is empty".into());
    }
    Ok(clean)
}

/// Writes one member to a new file and returns its SHA-256. `create_new` never writes over
/// an existing file, nor through a link (none can exist: links are never unpacked).
fn write_member(entry: &mut impl Read, target: &Path, executable: bool) -> std::io::Result<String> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mode = if executable { 0o755 } else { 0o644 };
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(target)?;
    // The umask may have taken bits off; the archive's mode is the file's.
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    let mut hasher = Sha256::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let read = entry.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        file.write_all(&buffer[..read])?;
    }
    file.sync_all()?;
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn pack(dir: &Path) {
        std::fs::create_dir_all(dir.join("actions")).unwrap();
        std::fs::write(dir.join("pack.yaml"), "ref: demo\nversion: 1.0.0\n").unwrap();
        std::fs::write(dir.join("actions/run.sh"), "#!/bin/sh\necho hi\n").unwrap();
        std::fs::set_permissions(dir.join("actions/run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.join("actions/run.yaml"), "ref: demo.run\n").unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join(".git/HEAD"), "ref: main\n").unwrap();
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/old.tar.gz"), "old").unwrap();
    }

    #[test]
    fn the_same_files_make_the_same_bytes() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        pack(one.path());
        pack(two.path());
        // Another mtime and another umask on the second copy: neither is archived.
        std::fs::set_permissions(two.path().join("actions/run.yaml"), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(two.path().join("pack.yaml"), "ref: demo\nversion: 1.0.0\n").unwrap();
        let (a, b) = (
            write(one.path(), "demo", "1.0.0", Vec::new()).unwrap(),
            write(two.path(), "demo", "1.0.0", Vec::new()).unwrap(),
        );
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.digest, b.digest);
        assert!(a.digest.starts_with("sha256:") && a.digest.len() == 71);
        assert_eq!(a.file_name(), "demo-1.0.0.tar.gz");
        let paths: Vec<&str> = a.manifest.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["actions/run.sh", "actions/run.yaml", "pack.yaml"], "dotfiles and dist/ are left out");
        assert!(a.manifest.files[0].executable && !a.manifest.files[1].executable);

        std::fs::write(two.path().join("actions/run.sh"), "#!/bin/sh\necho changed\n").unwrap();
        assert_ne!(write(two.path(), "demo", "1.0.0", Vec::new()).unwrap().digest, a.digest);
    }

    #[test]
    fn an_archive_opens_to_the_files_it_was_written_from() {
        let source = tempfile::tempdir().unwrap();
        pack(source.path());
        let archive = write(source.path(), "demo", "1.0.0", Vec::new()).unwrap();
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("demo");
        let manifest = open(&archive.bytes, &dest, &Limits::default()).unwrap();
        assert_eq!(manifest, archive.manifest);
        assert_eq!(std::fs::read_to_string(dest.join("actions/run.sh")).unwrap(), "#!/bin/sh\necho hi\n");
        let mode = std::fs::metadata(dest.join("actions/run.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        assert!(!dest.join(".git").exists());
        let again = open(&archive.bytes, &dest, &Limits::default()).unwrap_err();
        assert!(again.to_string().contains("exists already"), "{again}");
    }

    /// An archive whose members are written as given, bypassing the tar library's own path
    /// checks: what an attacker would upload.
    fn crafted(members: &[(&[u8], tar::EntryType, &[u8])], manifest: Option<&Manifest>) -> Vec<u8> {
        let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        let mut add = |name: &[u8], kind: tar::EntryType, data: &[u8]| {
            let mut header = tar::Header::new_old();
            header.as_old_mut().name[..name.len()].copy_from_slice(name);
            header.set_entry_type(kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            if kind == tar::EntryType::Symlink || kind == tar::EntryType::Link {
                header.set_link_name("/etc/passwd").unwrap();
                header.set_size(0);
            }
            header.set_cksum();
            tar.append(&header, if data.is_empty() { &[][..] } else { data }).unwrap();
        };
        if let Some(manifest) = manifest {
            add(MANIFEST.as_bytes(), tar::EntryType::Regular, &serde_json::to_vec(manifest).unwrap());
        }
        for (name, kind, data) in members {
            add(name, *kind, data);
        }
        tar.into_inner().unwrap().finish().unwrap()
    }

    fn listing(files: &[(&str, &[u8])]) -> Manifest {
        Manifest {
            format: FORMAT,
            pack_ref: "demo".into(),
            version: "1.0.0".into(),
            files: files
                .iter()
                .map(|(path, data)| FileEntry {
                    path: (*path).into(),
                    size: data.len() as u64,
                    sha256: hex::encode(Sha256::digest(data)),
                    executable: false,
                })
                .collect(),
            components: BTreeMap::new(),
        }
    }

    fn with_component(mut manifest: Manifest) -> Manifest {
        manifest.components.insert("pack.yaml".into(), "/etc/passwd".into());
        manifest
    }

    fn refused(bytes: &[u8], limits: &Limits) -> String {
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("pack");
        let error = open(bytes, &dest, limits).expect_err("refused").to_string();
        assert!(!dest.exists(), "a refused archive leaves nothing behind");
        error
    }

    #[test]
    fn hostile_archives_are_refused_and_leave_nothing() {
        let regular = tar::EntryType::Regular;
        let limits = Limits::default();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (crafted(&[(b"/etc/cron.d/x", regular, b"x")], Some(&listing(&[("etc/cron.d/x", b"x")]))), "absolute"),
            (crafted(&[(b"../../escape", regular, b"x")], Some(&listing(&[]))), "climbs out"),
            (crafted(&[(b"actions/../../x", regular, b"x")], Some(&listing(&[]))), "climbs out"),
            (crafted(&[(b"link", tar::EntryType::Symlink, b"")], Some(&listing(&[]))), "only regular files"),
            (crafted(&[(b"hard", tar::EntryType::Link, b"")], Some(&listing(&[]))), "only regular files"),
            (crafted(&[(b"fifo", tar::EntryType::Fifo, b"")], Some(&listing(&[]))), "only regular files"),
            (crafted(&[(b"pack.yaml", regular, b"ref: demo\n")], None), "the first member must be"),
            (crafted(&[(b"extra.txt", regular, b"x")], Some(&listing(&[]))), "not listed in the manifest"),
            (crafted(&[], Some(&listing(&[("pack.yaml", b"ref: demo\n")]))), "not archived"),
            (
                crafted(&[(b"pack.yaml", regular, b"ref: evil\n")], Some(&listing(&[("pack.yaml", b"ref: demo\n")]))),
                "differs",
            ),
            (
                crafted(
                    &[(b"pack.yaml", regular, b"a"), (b"pack.yaml", regular, b"a")],
                    Some(&listing(&[("pack.yaml", b"a")])),
                ),
                "archived twice",
            ),
            (b"not gzip at all".to_vec(), "not a pack archive"),
            (
                // A built component must be a file of the archive: nothing outside it runs.
                crafted(&[(b"pack.yaml", regular, b"a")], Some(&with_component(listing(&[("pack.yaml", b"a")])))),
                "names an unlisted file",
            ),
        ];
        for (bytes, expected) in cases {
            let error = refused(&bytes, &limits);
            assert!(error.contains(expected), "expected '{expected}' in: {error}");
        }
    }

    #[test]
    fn oversized_and_overlong_members_are_refused() {
        let big = vec![b'x'; 4096];
        let one = crafted(&[(b"big.bin", tar::EntryType::Regular, &big)], Some(&listing(&[("big.bin", &big)])));
        let small = Limits { member_bytes: 1024, ..Limits::default() };
        assert!(refused(&one, &small).contains("larger than 1024 bytes"));
        let total = Limits { total_bytes: 2048, ..Limits::default() };
        assert!(refused(&one, &total).contains("more than 2048 bytes"));
        let archive = Limits { archive_bytes: 16, ..Limits::default() };
        assert!(refused(&one, &archive).contains("archive is larger than 16 bytes"));
        let members = Limits { members: 1, ..Limits::default() };
        assert!(refused(&one, &members).contains("more than 1 members"));
        let long = "d/".repeat(40) + "file";
        let overlong = crafted(&[(long.as_bytes(), tar::EntryType::Regular, b"x")], Some(&listing(&[])));
        assert!(refused(&overlong, &Limits { path_bytes: 50, ..Limits::default() }).contains("longer than 50 bytes"));
    }

    #[test]
    fn a_compressed_bomb_stops_at_the_total_limit() {
        // 64 MiB of zeros compresses to a few kilobytes.
        let zeros = vec![0u8; 64 << 20];
        let bomb = crafted(&[(b"zeros", tar::EntryType::Regular, &zeros)], Some(&listing(&[("zeros", &zeros)])));
        assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
        let limits = Limits { member_bytes: u64::MAX, total_bytes: 1 << 20, ..Limits::default() };
        assert!(refused(&bomb, &limits).contains("more than 1048576 bytes"));
    }
}
