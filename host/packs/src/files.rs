//! Reading pack files: bounded size, UTF-8, located YAML errors.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Pack metadata files are small; anything larger is a mistake (or an attack).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads and parses one YAML file. Errors are messages meant to follow the file's name.
pub fn read_yaml<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let size = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("file is {size} bytes; metadata files may be at most {MAX_FILE_BYTES}"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    serde_yaml_ng::from_str(&text).map_err(|e| match e.location() {
        Some(at) => format!("line {} column {}: {}", at.line(), at.column(), strip_location(&e.to_string())),
        None => e.to_string(),
    })
}

/// serde_yaml_ng appends " at line X column Y" to messages; the location is reported first.
fn strip_location(message: &str) -> &str {
    message.rsplit_once(" at line ").map_or(message, |(head, _)| head)
}

/// The `.yaml`/`.yml` files directly inside `dir`, sorted; none when `dir` is absent.
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list: {e}"))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list: {e}"))?.path();
        let is_yaml = path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml");
        if is_yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// `path` relative to `root`, with forward slashes, for messages.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}
