//! The lock that makes one build of an environment at a time, across processes.
//!
//! Two workers (or a worker and a sensor service) on one machine share
//! `runtime_envs_dir`; an advisory `flock` on a file next to the environment serialises
//! their builds. The lock belongs to the open file, so it is released when the file is
//! closed — also when the process dies half-way through a build.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;

/// Held while an environment is checked and (re)built.
#[derive(Debug)]
pub(crate) struct BuildLock {
    _file: File,
}

/// Takes the exclusive lock on `path` (created if needed), waiting for any holder.
pub(crate) async fn lock_exclusive(path: &Path) -> io::Result<BuildLock> {
    let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(path)?;
    match file.try_lock() {
        Ok(()) => return Ok(BuildLock { _file: file }),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(error)) => return Err(error),
    }
    // Waiting blocks a thread; if the caller gives up (cancellation), the thread still takes
    // the lock and releases it at once when its result is dropped.
    tokio::task::spawn_blocking(move || {
        file.lock()?;
        Ok(BuildLock { _file: file })
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_and_the_next_one_gets_it_on_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("env.lock");
        let first = lock_exclusive(&path).await.unwrap();
        // Another open file description (as another process would have) is refused...
        let probe = OpenOptions::new().read(true).write(true).open(&path).unwrap();
        assert!(matches!(probe.try_lock(), Err(TryLockError::WouldBlock)));
        // ...and a waiter is served once the holder lets go.
        let waiter = tokio::spawn(async move { lock_exclusive(&path).await });
        drop(first);
        waiter.await.unwrap().unwrap();
    }
}
