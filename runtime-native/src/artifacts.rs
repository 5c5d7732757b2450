//! Artifacts of native actions: files the action writes into the directory
//! `ATTUNE_ARTIFACTS_DIR` names, collected once its process tree has ended.
//!
//! Inside the sandbox the directory is [`SANDBOX_DIR`], in the sandbox's private,
//! size-limited temporary space: an action cannot fill the host's disk with artifacts, and
//! the directory is gone with the sandbox. The sandbox's first process collects it after the
//! tree has ended (no process of the action is left to swap a file for a link meanwhile)
//! and hands the files to the helper outside, which puts them in its report. With the
//! sandbox off, the directory is a private temporary directory of the host, collected by
//! the runtime the same way.
//!
//! Only regular files directly in the directory are collected, opened without following
//! links, and no more bytes than the execution may publish are read; subdirectories, links,
//! devices and what exceeds the limits are skipped with a note. A file named `<name>.link`
//! holding one URL publishes a link named `<name>`. The rules of
//! [`attune_runtime_api::artifact`] then apply as for WASM actions.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use attune_runtime_api::PublishedArtifact;
use attune_runtime_api::artifact::{ArtifactSet, LINK_SUFFIX, MAX_ARTIFACTS};
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The environment variable naming the directory.
pub const VARIABLE: &str = "ATTUNE_ARTIFACTS_DIR";

/// The directory inside the sandbox.
pub const SANDBOX_DIR: &str = "/tmp/artifacts";

/// One collected file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectedFile {
    /// Its name in the directory.
    pub name: String,
    /// Its bytes (base64 in the helper's report).
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

/// What a collection found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// The files kept, in name order.
    pub files: Vec<CollectedFile>,
    /// What was skipped, and why (one line each).
    pub skipped: Vec<String>,
}

/// Collects the regular files directly in `dir`, reading at most `max_bytes` in all.
pub fn collect(dir: &Path, max_bytes: u64) -> Collection {
    let mut collection = Collection::default();
    let Ok(entries) = std::fs::read_dir(dir) else { return collection };
    let mut names: Vec<OsString> = entries.filter_map(Result::ok).map(|entry| entry.file_name()).collect();
    names.sort();
    let mut budget = max_bytes;
    for name in names {
        let shown = name.to_string_lossy().into_owned();
        let Some(text) = name.to_str() else {
            collection.skipped.push(format!("artifact {shown:?} skipped: its name is not UTF-8"));
            continue;
        };
        if collection.files.len() >= MAX_ARTIFACTS {
            collection
                .skipped
                .push(format!("artifact {text:?} skipped: an execution may publish at most {MAX_ARTIFACTS} artifacts"));
            continue;
        }
        match read_regular(&dir.join(&name), budget, max_bytes) {
            Ok(bytes) => {
                budget -= bytes.len() as u64;
                collection.files.push(CollectedFile { name: text.to_owned(), bytes });
            }
            Err(reason) => collection.skipped.push(format!("artifact {text:?} skipped: {reason}")),
        }
    }
    collection
}

/// The bytes of the regular file at `path` (never through a link), when at most `budget`.
fn read_regular(path: &Path, budget: u64, limit: u64) -> Result<Vec<u8>, String> {
    let too_large = || format!("it would exceed the execution's artifact limit of {limit} bytes");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|error| match error.raw_os_error() {
            Some(libc::ELOOP) => "it is a symbolic link; only regular files are collected".to_owned(),
            _ => format!("it cannot be read: {error}"),
        })?;
    let metadata = file.metadata().map_err(|error| format!("it cannot be read: {error}"))?;
    if !metadata.is_file() {
        return Err("only regular files directly in the directory are collected".into());
    }
    if metadata.len() > budget {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(budget.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| format!("it cannot be read: {error}"))?;
    if bytes.len() as u64 > budget {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The artifacts of `collection` under the execution's rules (`limit_bytes` in all), and a
/// line for everything skipped or refused.
pub fn publish(collection: Collection, limit_bytes: u64) -> (Vec<PublishedArtifact>, Vec<String>) {
    let mut set = ArtifactSet::new(limit_bytes);
    let mut problems = collection.skipped;
    for file in collection.files {
        let link_name = file.name.strip_suffix(LINK_SUFFIX).filter(|name| !name.is_empty());
        let published = match link_name {
            Some(name) => {
                let url = String::from_utf8_lossy(&file.bytes);
                set.publish_link(name, url.trim())
            }
            None => set.publish_file(&file.name, None, file.bytes),
        };
        if let Err(refused) = published {
            problems.push(refused.to_string());
        }
    }
    (set.into_items(), problems)
}

/// Bytes as base64 text, so a report stays compact JSON.
mod base64_bytes {
    use super::{Deserialize, STANDARD};
    use base64::Engine as _;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use attune_runtime_api::ArtifactContent;

    use super::*;

    #[test]
    fn collects_regular_files_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("a.csv"), "x,y\n1,2\n").unwrap();
        std::fs::write(dir.path().join("big.bin"), vec![0u8; 100]).unwrap();
        std::fs::write(dir.path().join("docs.link"), "https://example.com/report\n").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("escape")).unwrap();

        let collection = collect(dir.path(), 40);
        let names: Vec<&str> = collection.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.csv", "b.txt", "docs.link"]);
        let skipped = collection.skipped.join("\n");
        assert!(skipped.contains("\"big.bin\" skipped: it would exceed"), "{skipped}");
        assert!(skipped.contains("\"escape\" skipped: it is a symbolic link"), "{skipped}");
        assert!(skipped.contains("\"sub\" skipped: only regular files"), "{skipped}");

        let (artifacts, problems) = publish(collection, 40);
        assert!(problems.len() == 3, "{problems:?}");
        assert_eq!(artifacts.len(), 3);
        assert_eq!(
            artifacts[0].content,
            ArtifactContent::File { media_type: "text/csv".into(), bytes: b"x,y\n1,2\n".to_vec() }
        );
        assert_eq!(artifacts[2].name, "docs");
        assert_eq!(artifacts[2].content, ArtifactContent::Link { url: "https://example.com/report".into() });
    }

    #[test]
    fn a_collection_survives_the_report() {
        let collection = Collection {
            files: vec![CollectedFile { name: "x".into(), bytes: vec![0, 255, 10] }],
            skipped: vec!["y".into()],
        };
        let text = serde_json::to_string(&collection).unwrap();
        assert!(text.contains("\"AP8K\""), "{text}");
        assert_eq!(serde_json::from_str::<Collection>(&text).unwrap(), collection);
    }

    #[test]
    fn a_missing_directory_collects_nothing() {
        assert_eq!(collect(Path::new("/nonexistent/attune"), 10), Collection::default());
    }
}
