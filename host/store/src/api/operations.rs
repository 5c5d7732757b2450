//! Runtimes, workers, notifications and artifacts: the operational side of the platform.

use async_trait::async_trait;
use attune_domain::artifact::{Artifact, NewArtifact};
use attune_domain::notification::{NewNotification, Notification};
use attune_domain::page::{Page, PageRequest};
use attune_domain::runtime::{NewRuntime, Runtime};
use attune_domain::status::{NotificationState, WorkerStatus};
use attune_domain::worker::{NewWorker, Worker};
use attune_domain::{Id, Timestamp};

use crate::StoreResult;

/// Runtimes, workers, notifications and artifacts.
#[async_trait]
pub trait OperationsStore: Send + Sync {
    /// Creates a runtime or updates the one with the same ref.
    async fn upsert_runtime(&self, runtime: &NewRuntime) -> StoreResult<Runtime>;
    /// A runtime by ref.
    async fn get_runtime(&self, runtime_ref: &str) -> StoreResult<Runtime>;
    /// Runtimes, ordered by ref.
    async fn list_runtimes(&self, page: PageRequest) -> StoreResult<Page<Runtime>>;
    /// Deletes a runtime.
    async fn delete_runtime(&self, runtime_ref: &str) -> StoreResult<()>;

    /// Registers a worker (or re-registers the one with the same name): status active,
    /// heartbeat now.
    async fn register_worker(&self, worker: &NewWorker) -> StoreResult<Worker>;
    /// A worker by id.
    async fn get_worker(&self, id: Id) -> StoreResult<Worker>;
    /// Workers, ordered by name; `status` narrows.
    async fn list_workers(&self, status: Option<WorkerStatus>, page: PageRequest) -> StoreResult<Page<Worker>>;
    /// Records a heartbeat with the worker's current status.
    async fn heartbeat_worker(&self, id: Id, status: WorkerStatus) -> StoreResult<Worker>;
    /// Marks inactive every active or busy worker whose last heartbeat is older than
    /// `before`; returns their ids.
    async fn expire_workers(&self, before: Timestamp) -> StoreResult<Vec<Id>>;
    /// Deletes a worker.
    async fn delete_worker(&self, id: Id) -> StoreResult<()>;

    /// Work accepted and not yet taken up: events whose rules have not been evaluated, and
    /// executions waiting for an executor or a worker (`requested`, `scheduling`,
    /// `scheduled`). Executions held on purpose (`delayed`, `queued`, `pending`) and
    /// running ones (bounded by the workers) are not counted.
    async fn backlog(&self) -> StoreResult<u64>;

    /// Records a notification (state `created`).
    async fn create_notification(&self, notification: &NewNotification) -> StoreResult<Notification>;
    /// Notifications with id greater than `after`, oldest first, at most `limit`.
    async fn list_notifications(&self, after: Id, limit: i64) -> StoreResult<Vec<Notification>>;
    /// Sets a notification's delivery state.
    async fn set_notification_state(&self, id: Id, state: NotificationState) -> StoreResult<()>;
    /// Deletes notifications created before `before`; returns how many.
    async fn purge_notifications(&self, before: Timestamp) -> StoreResult<u64>;

    /// Records an artifact, with its file's bytes when it has some (one transaction).
    async fn create_artifact(&self, artifact: &NewArtifact) -> StoreResult<Artifact>;
    /// The bytes of a file artifact; not found for links, unknown ids and files kept in
    /// the artifact directory.
    async fn artifact_content(&self, id: Id) -> StoreResult<Vec<u8>>;
    /// The SHA-256 naming the file that holds a file artifact's bytes in the artifact
    /// directory; not found for artifacts whose bytes are in the store, links and unknown ids.
    async fn artifact_file(&self, id: Id) -> StoreResult<String>;
    /// Which of `digests` some artifact's file still is.
    async fn artifact_files_in_use(&self, digests: &[String]) -> StoreResult<Vec<String>>;
    /// An artifact by id.
    async fn get_artifact(&self, id: Id) -> StoreResult<Artifact>;
    /// Artifacts, newest first; `execution` narrows.
    async fn list_artifacts(&self, execution: Option<Id>, page: PageRequest) -> StoreResult<Page<Artifact>>;
    /// Deletes an artifact.
    async fn delete_artifact(&self, id: Id) -> StoreResult<()>;
}
