//! The worker's life: register, recover, heartbeat, consume, stop.

use std::sync::Arc;

use attune_bus::{Bus, BusError, Message, Queue};
use attune_domain::Id;
use attune_domain::execution::ExecutionFilter;
use attune_domain::failure::FailureKind;
use attune_domain::page::PageRequest;
use attune_domain::status::{ExecutionStatus, WorkerStatus, WorkerType};
use attune_domain::worker::NewWorker;
use attune_runtime_api::RuntimeRegistry;
use attune_security::{Cipher, TokenIssuer};
use attune_services::artifact_files::ArtifactFiles;
use attune_services::executions::publish;
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_store::{Store, StoreError};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::WorkerConfig;
use crate::run::{Running, run_execution};

/// What a worker is built from.
#[derive(Clone)]
pub struct WorkerDeps {
    /// The source of truth.
    pub store: Arc<dyn Store>,
    /// Where its work arrives.
    pub bus: Arc<dyn Bus>,
    /// Decrypts secret parameters and keys.
    pub cipher: Cipher,
    /// Issues each execution's `ATTUNE_API_TOKEN` (the API's signing secret).
    pub tokens: TokenIssuer,
    /// The runtimes it runs actions with.
    pub registry: RuntimeRegistry,
    /// Where file artifacts' bytes go when `artifacts.dir` is set (else into the store).
    pub artifact_files: Option<ArtifactFiles>,
}

/// Why a worker stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The store failed while registering or recovering.
    #[error("worker cannot start: {0}")]
    Store(#[from] StoreError),
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// State shared by the worker's tasks.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) bus: Arc<dyn Bus>,
    pub(crate) cipher: Cipher,
    pub(crate) tokens: TokenIssuer,
    pub(crate) registry: RuntimeRegistry,
    pub(crate) artifact_files: Option<ArtifactFiles>,
    pub(crate) config: WorkerConfig,
    pub(crate) worker_id: Id,
    pub(crate) running: Running,
}

impl Shared {
    /// Where this worker's status changes go.
    pub(crate) fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle::new(self.store.as_ref(), self.bus.as_ref())
    }
}

/// A worker that has registered itself and recovered what its previous incarnation left.
pub struct RegisteredWorker {
    shared: Arc<Shared>,
    consumer: attune_bus::Consumer,
}

impl RegisteredWorker {
    /// The worker's id.
    pub fn id(&self) -> Id {
        self.shared.worker_id
    }
}

/// Registers the worker (advertising the runner types of its registry), starts consuming
/// its queue and recovers executions a previous worker of the same name left behind.
pub async fn start(deps: WorkerDeps, config: WorkerConfig) -> Result<RegisteredWorker, WorkerError> {
    let worker = deps
        .store
        .register_worker(&NewWorker {
            name: config.name.clone(),
            worker_type: WorkerType::Local,
            runner_types: deps.registry.runner_types(),
            host: std::env::var("HOSTNAME").ok(),
            port: None,
            capabilities: json!({ "concurrency": config.concurrency, "sandbox": config.sandbox }),
        })
        .await?;
    tracing::info!(worker = %worker.name, id = worker.id, runners = ?worker.runner_types, "worker registered");
    let shared = Arc::new(Shared {
        store: deps.store,
        bus: deps.bus,
        cipher: deps.cipher,
        tokens: deps.tokens,
        registry: deps.registry,
        artifact_files: deps.artifact_files,
        worker_id: worker.id,
        running: Running::default(),
        config,
    });
    let consumer = shared.bus.consume(&Queue::Worker(worker.id)).await?;
    recover(&shared).await?;
    Ok(RegisteredWorker { shared, consumer })
}

/// Registers a worker and runs it until `shutdown` is cancelled.
pub async fn run(deps: WorkerDeps, config: WorkerConfig, shutdown: CancellationToken) -> Result<(), WorkerError> {
    start(deps, config).await?.run(shutdown).await;
    Ok(())
}

impl RegisteredWorker {
    /// Runs executions until `shutdown` is cancelled, then lets running ones finish (up to
    /// the configured grace) and marks the worker inactive.
    pub async fn run(self, shutdown: CancellationToken) {
        let RegisteredWorker { shared, mut consumer } = self;
        let worker_id = shared.worker_id;
        let slots = Arc::new(Semaphore::new(shared.config.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        let mut heartbeat = tokio::time::interval(shared.config.heartbeat_every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = heartbeat.tick() => {
                    let status = if slots.available_permits() == 0 { WorkerStatus::Busy } else { WorkerStatus::Active };
                    if let Err(error) = shared.store.heartbeat_worker(worker_id, status).await {
                        tracing::error!(%error, "heartbeat failed");
                    }
                }
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(error) = done {
                        tracing::error!(%error, "an execution task panicked");
                    }
                }
                delivery = consumer.next() => {
                    let Some(delivery) = delivery else { break };
                    match delivery.message.clone() {
                        Message::ExecutionScheduled { execution } => {
                            // Wait for a slot inside the task, so that the loop keeps
                            // heartbeating and routing cancellations while at capacity. The
                            // execution's state (many KiB) is allocated once it has a slot:
                            // a backlog of thousands waiting costs only their deliveries.
                            let slots = slots.clone();
                            let shared = shared.clone();
                            let trace = delivery.trace.clone();
                            tasks.spawn(async move {
                                let permit = slots.acquire_owned().await.expect("the semaphore is never closed");
                                Box::pin(async move {
                                    let (settled_tx, settled_rx) = tokio::sync::oneshot::channel();
                                    let ack = async move {
                                        if settled_rx.await.is_ok() {
                                            delivery.ack().await;
                                        }
                                    };
                                    let work = run_execution(&shared, execution, trace, move || { let _ = settled_tx.send(()); });
                                    tokio::join!(ack, work);
                                })
                                .await;
                                drop(permit);
                            });
                        }
                        Message::CancelRequested { execution } => {
                            if let Some(token) = shared.running.lock().expect("running lock").get(&execution) {
                                token.cancel();
                            }
                            delivery.ack().await;
                        }
                        other => {
                            tracing::warn!(message = ?other, "unexpected message on a worker queue");
                            delivery.dead_letter().await;
                        }
                    }
                }
            }
        }
        drop(consumer);
        stop(&shared, tasks).await;
    }
}

/// Lets running executions finish for the grace period, then records the worker inactive.
/// Executions still running after that are abandoned when a worker of this name starts
/// again, or by the reconciler once this one is seen dead.
async fn stop(shared: &Shared, mut tasks: JoinSet<()>) {
    let drained =
        tokio::time::timeout(shared.config.shutdown_grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(left = tasks.len(), "stopping with executions still running");
        tasks.abort_all();
    }
    if let Err(error) = shared.store.heartbeat_worker(shared.worker_id, WorkerStatus::Inactive).await {
        tracing::error!(%error, "cannot record the worker inactive");
    }
}

/// A worker that starts under a name already registered is that worker's next
/// incarnation: whatever the previous one was running died with it.
async fn recover(shared: &Shared) -> Result<(), StoreError> {
    use ExecutionStatus::*;
    let filter = ExecutionFilter {
        worker: Some(shared.worker_id),
        statuses: vec![Scheduled, Running, Canceling],
        ..ExecutionFilter::default()
    };
    let mine = shared.store.list_executions(&filter, PageRequest::new(1, PageRequest::MAX_PAGE_SIZE)).await?;
    for execution in mine.items {
        match execution.status {
            Running => {
                shared.lifecycle().abandon(&execution, "the worker restarted while running it").await?;
            }
            Canceling => {
                let ending = Ending::failure(FailureKind::Cancelled, "cancelled; its worker restarted");
                shared.lifecycle().finish(execution.id, &[Canceling], ending).await?;
            }
            // Assigned but never started: run it now.
            _ => {
                publish(
                    shared.bus.as_ref(),
                    &Queue::Worker(shared.worker_id),
                    Message::ExecutionScheduled { execution: execution.id },
                )
                .await
            }
        }
    }
    Ok(())
}
