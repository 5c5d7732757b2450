//! Artifact bytes kept in a configured directory (`artifacts.dir`) instead of the store.
//!
//! A large report does not belong in every database backup; with a directory configured,
//! the worker writes each file artifact's bytes there and the store keeps only the
//! metadata and the file's SHA-256, which names the file. Naming by content means no path
//! is ever derived from what an action chose (its artifact's name), a file is written once
//! however many executions publish the same bytes, and a download checks that the bytes
//! are still the ones published: a file changed on disk is refused, not served.
//!
//! Files are written to a temporary name, synced and renamed into place, so a reader never
//! sees half a file. Retention deletes artifact rows; [`ArtifactFiles::sweep`] then deletes
//! the files no row names any more, once they are older than a grace period (a worker
//! writes its file just before it records the row).
//!
//! In a distributed deployment every worker, API and executor must see the same directory
//! (a shared volume).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use attune_store::{Store, StoreResult};
use sha2::{Digest, Sha256};

/// Files swept per store query.
const SWEEP_BATCH: usize = 500;

/// The directory file artifacts are kept in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactFiles {
    dir: PathBuf,
}

impl ArtifactFiles {
    /// Artifact files under `dir`, created (owner-only) when missing.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        let dir = dir.into();
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keeps `bytes` and returns their SHA-256 (lowercase hex), which names them.
    pub async fn put(&self, bytes: Vec<u8>) -> io::Result<String> {
        let dir = self.dir.clone();
        blocking(move || {
            let digest = hex::encode(Sha256::digest(&bytes));
            let path = dir.join(&digest);
            if path.is_file() {
                return Ok(digest);
            }
            let mut file = tempfile::Builder::new().prefix(".partial-").tempfile_in(&dir)?;
            file.write_all(&bytes)?;
            file.as_file().sync_all()?;
            file.persist(&path).map_err(|e| e.error)?;
            Ok(digest)
        })
        .await
    }

    /// The bytes named `digest`; an error when there is no such file, or when its bytes no
    /// longer have that digest.
    pub async fn get(&self, digest: &str) -> io::Result<Vec<u8>> {
        if !is_digest(digest) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 digest"));
        }
        let path = self.dir.join(digest);
        let digest = digest.to_owned();
        blocking(move || {
            let bytes = std::fs::read(&path)?;
            if hex::encode(Sha256::digest(&bytes)) != digest {
                return Err(io::Error::new(io::ErrorKind::InvalidData, format!("{} was changed", path.display())));
            }
            Ok(bytes)
        })
        .await
    }

    /// Deletes the files last changed before `older_than` that no artifact names, and
    /// temporary files left by a writer that died; returns how many were deleted.
    pub async fn sweep(&self, store: &dyn Store, older_than: SystemTime) -> StoreResult<u64> {
        let dir = self.dir.clone();
        let (digests, partial) = blocking(move || old_files(&dir, older_than)).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot list the artifact directory");
            (Vec::new(), Vec::new())
        });
        let mut unused = partial;
        for batch in digests.chunks(SWEEP_BATCH) {
            let in_use = store.artifact_files_in_use(batch).await?;
            unused.extend(batch.iter().filter(|digest| !in_use.contains(digest)).cloned());
        }
        let mut deleted = 0;
        for name in unused {
            match tokio::fs::remove_file(self.dir.join(&name)).await {
                Ok(()) => deleted += 1,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => tracing::warn!(%error, file = %name, "cannot delete an unused artifact file"),
            }
        }
        Ok(deleted)
    }
}

/// The digest-named files and the temporary files in `dir` last changed before
/// `older_than`; anything else there is left alone.
fn old_files(dir: &Path, older_than: SystemTime) -> io::Result<(Vec<String>, Vec<String>)> {
    let (mut digests, mut partial) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        if !metadata.is_file() || metadata.modified()? >= older_than {
            continue;
        }
        let Ok(name) = entry.file_name().into_string() else { continue };
        if is_digest(&name) {
            digests.push(name);
        } else if name.starts_with(".partial-") {
            partial.push(name);
        }
    }
    Ok((digests, partial))
}

fn is_digest(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use attune_domain::artifact::NewArtifact;
    use attune_domain::status::{ArtifactType, KeyOwnerType, RetentionPolicyType};
    use serde_json::json;

    use super::*;
    use crate::test_support::store;

    fn artifact(name: &str, digest: &str) -> NewArtifact {
        NewArtifact {
            r#ref: name.into(),
            scope: KeyOwnerType::Action,
            owner: "core.echo".into(),
            artifact_type: ArtifactType::FileText,
            retention_policy: RetentionPolicyType::Days,
            retention_limit: 30,
            execution: None,
            data: json!({"name": name}),
            content: None,
            file: Some(digest.to_owned()),
        }
    }

    #[tokio::test]
    async fn files_are_named_by_their_digest_private_and_checked_when_read() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = tempfile::tempdir().unwrap();
        let files = ArtifactFiles::open(scratch.path().join("artifacts")).unwrap();
        let digest = files.put(b"host,status\n".to_vec()).await.unwrap();
        assert_eq!(digest, hex::encode(Sha256::digest(b"host,status\n")));
        assert_eq!(files.put(b"host,status\n".to_vec()).await.unwrap(), digest, "the same bytes, the same file");
        assert_eq!(files.get(&digest).await.unwrap(), b"host,status\n");
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(files.dir()), mode(&files.dir().join(&digest))), (0o700, 0o600));
        assert_eq!(std::fs::read_dir(files.dir()).unwrap().count(), 1, "no temporary file left");

        std::fs::write(files.dir().join(&digest), b"host,status\nevil,1\n").unwrap();
        assert_eq!(files.get(&digest).await.unwrap_err().kind(), io::ErrorKind::InvalidData, "changed on disk");
        for hostile in ["../../etc/passwd", "ABCDEF", &"g".repeat(64)] {
            assert_eq!(files.get(hostile).await.unwrap_err().kind(), io::ErrorKind::InvalidInput, "{hostile}");
        }
    }

    #[tokio::test]
    async fn a_sweep_deletes_old_files_no_artifact_names_and_keeps_the_rest() {
        let (_db, store) = store().await;
        let scratch = tempfile::tempdir().unwrap();
        let files = ArtifactFiles::open(scratch.path()).unwrap();
        let kept = files.put(b"kept".to_vec()).await.unwrap();
        let dropped = files.put(b"dropped".to_vec()).await.unwrap();
        store.create_artifact(&artifact("kept.txt", &kept)).await.unwrap();
        let gone = store.create_artifact(&artifact("dropped.txt", &dropped)).await.unwrap();
        store.delete_artifact(gone.id).await.unwrap();
        std::fs::write(scratch.path().join(".partial-x1"), b"half").unwrap();
        std::fs::write(scratch.path().join("notes.txt"), b"not ours").unwrap();

        let before_all = SystemTime::now() - Duration::from_secs(3600);
        assert_eq!(files.sweep(store.as_ref(), before_all).await.unwrap(), 0, "nothing old enough");
        let after_all = SystemTime::now() + Duration::from_secs(1);
        assert_eq!(files.sweep(store.as_ref(), after_all).await.unwrap(), 2);
        let mut left: Vec<String> =
            std::fs::read_dir(scratch.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, [kept.clone(), "notes.txt".to_owned()]);
        assert_eq!(files.get(&kept).await.unwrap(), b"kept");
    }
}
