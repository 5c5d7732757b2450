//! Symbolic links in a pack: each must lead to a file or directory inside the pack.
//!
//! Everything the server reads from a pack (metadata, WebAssembly components, scripts it
//! hands to a sandbox) is found under the pack's directory. A link leading out of it (to
//! `/etc/shadow`, to the server's data directory, to another pack) would make the server read
//! or run something the pack's author does not own, so such a pack is refused whole. A link
//! that leads nowhere is refused too: what it will point to later is unknown.

use std::path::{Path, PathBuf};

/// Entries looked at before a pack counts as too large to check (and is refused).
const MAX_ENTRIES: usize = 100_000;

/// Every link under `dir` that leaves it or leads nowhere, with why, in path order.
pub(crate) fn links_leaving(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(root) = dir.canonicalize() else {
        return vec![(dir.to_path_buf(), "cannot resolve the pack directory".into())];
    };
    let mut found = Vec::new();
    let mut pending = vec![root.clone()];
    let mut seen = 0usize;
    while let Some(current) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(error) => {
                found.push((current, format!("cannot list: {error}")));
                continue;
            }
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                found.push((root.clone(), format!("holds more than {MAX_ENTRIES} files and directories")));
                return found;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_default();
                match path.canonicalize() {
                    Ok(resolved) if resolved.starts_with(&root) => {}
                    Ok(_) => found.push((path, format!("is a symbolic link to '{target}', outside the pack"))),
                    Err(_) => found.push((path, format!("is a symbolic link to '{target}', which does not exist"))),
                }
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn links_inside_pass_and_links_out_or_nowhere_are_named() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let pack = tempfile::tempdir().unwrap();
        let root = pack.path();
        std::fs::create_dir_all(root.join("actions/lib")).unwrap();
        std::fs::write(root.join("actions/lib/real.sh"), "echo").unwrap();
        symlink("lib/real.sh", root.join("actions/inside.sh")).unwrap();
        symlink("..", root.join("actions/lib/loop")).unwrap();
        assert!(links_leaving(root).is_empty(), "{:?}", links_leaving(root));

        symlink(outside.path().join("secret"), root.join("actions/lib/out.sh")).unwrap();
        symlink("../../../../../../../../etc", root.join("etc")).unwrap();
        symlink("missing", root.join("actions/dangling")).unwrap();
        let found: Vec<(String, String)> = links_leaving(root)
            .into_iter()
            .map(|(path, why)| (path.strip_prefix(root.canonicalize().unwrap()).unwrap().display().to_string(), why))
            .collect();
        let paths: Vec<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths, ["actions/dangling", "actions/lib/out.sh", "etc"]);
        assert!(found[0].1.contains("does not exist"), "{found:?}");
        assert!(found[1].1.ends_with("outside the pack"), "{found:?}");
    }
}
