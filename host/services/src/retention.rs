//! The retention collector: deletes history that is due (ended executions and their
//! output, processed events and enforcements, audit entries, artifacts), as configured, in
//! small batches with a pause between them, so that it never holds a lock long or crowds
//! out the work of the platform. It runs in the executor role (and in `attune server`);
//! several executors collecting side by side only ever delete a row once.

use std::time::Duration;

use attune_store::{Collectable, Due, Store, StoreResult};
use tokio_util::sync::CancellationToken;

use crate::artifact_files::ArtifactFiles;

/// How long one kind of history is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// Rows older than this are deleted.
    pub max_age: Option<Duration>,
    /// Rows beyond this many newest are deleted.
    pub max_count: Option<u64>,
}

/// What the collector keeps, and how it paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// Time between passes.
    pub every: Duration,
    /// Rows deleted by one statement.
    pub batch: u32,
    /// Pause between two batches.
    pub pause: Duration,
    /// Per kind; a kind not listed is kept forever.
    pub keep: Vec<(Collectable, Keep)>,
    /// The artifact directory, whose files no artifact names any more are deleted after
    /// each pass.
    pub files: Option<ArtifactFiles>,
}

/// How old a file of the artifact directory must be before it may be swept: a worker
/// writes the file a moment before it records the artifact naming it.
const FILE_GRACE: Duration = Duration::from_secs(600);

/// Runs one pass: every kind, batch after batch until none is due. Returns the rows
/// deleted per kind.
pub async fn collect_once(store: &dyn Store, retention: &Retention) -> StoreResult<Vec<(Collectable, u64)>> {
    let now = chrono::Utc::now();
    let mut deleted = Vec::new();
    for kind in Collectable::ALL {
        let Some((_, keep)) = retention.keep.iter().find(|(k, _)| *k == kind) else { continue };
        let before = keep.max_age.and_then(|age| chrono::TimeDelta::from_std(age).ok()).map(|age| now - age);
        let due = Due { before, keep: keep.max_count };
        let mut total = 0;
        loop {
            let done = store.collect(kind, due, retention.batch).await?;
            total += done;
            attune_telemetry::record::retention_deleted(kind.as_str(), done);
            if done < u64::from(retention.batch) {
                break;
            }
            tokio::time::sleep(retention.pause).await;
        }
        deleted.push((kind, total));
    }
    Ok(deleted)
}

/// Runs a pass every `retention.every` until `shutdown`.
pub async fn run(store: std::sync::Arc<dyn Store>, retention: Retention, shutdown: CancellationToken) {
    if retention.keep.is_empty() || retention.every.is_zero() {
        return;
    }
    loop {
        tokio::select! {
            () = tokio::time::sleep(retention.every) => {}
            () = shutdown.cancelled() => return,
        }
        match collect_once(store.as_ref(), &retention).await {
            Ok(deleted) => {
                let deleted: Vec<String> =
                    deleted.iter().filter(|(_, n)| *n > 0).map(|(kind, n)| format!("{n} {}", kind.as_str())).collect();
                if !deleted.is_empty() {
                    tracing::info!(deleted = %deleted.join(", "), "retention collected history");
                }
            }
            Err(error) => tracing::warn!(%error, "retention pass failed; trying again next time"),
        }
        if let Some(files) = &retention.files {
            match files.sweep(store.as_ref(), std::time::SystemTime::now() - FILE_GRACE).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "unused artifact files deleted"),
                Err(error) => tracing::warn!(%error, "artifact files not swept; trying again next time"),
            }
        }
    }
}
