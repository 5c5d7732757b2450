//! Scheduling: `requested → scheduling`, through the action's policies (admitted, or
//! `queued` in turn), then onto a live worker that advertises the action's runner type
//! (`scheduled`) — or, for an inquiry action, its question asked (`pending`). An execution
//! no policy governs goes straight from `requested` to `scheduled`.
//!
//! When an execution ends, [`Scheduler::finished`] releases what it held under its
//! policies, schedules the executions queued behind it, and creates the retry its action's
//! retry policy owes it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use attune_bus::{Bus, Message, Queue};
use attune_domain::execution::Execution;
use attune_domain::failure::FailureKind;
use attune_domain::page::PageRequest;
use attune_domain::status::{ExecutionStatus, RunnerType, WorkerStatus};
use attune_domain::worker::Worker;
use attune_domain::{Id, Timestamp};
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_services::{Platform, inquiries, workflows};
use attune_store::{Store, StoreResult};

use crate::clock::{Clock, SystemClock};
use crate::config::ExecutorConfig;
use crate::faults::{FaultPoint, Faults};
use crate::policies::{self, Gate};

/// How long the scheduler reuses the workers it listed. Listing them is two queries on the
/// path of every execution, while workers come and go rarely. Liveness is still judged at
/// each use from the listed heartbeats, so a worker that stops heartbeating drops out on
/// time; one that stopped cleanly within this window may still be given work, which the
/// reconciler requeues once it sees the worker gone.
const LISTED_WORKERS_FOR: Duration = Duration::from_secs(1);

/// Queued executions of each group looked at when an execution of the group ends: the one
/// slot it freed goes to the first admissible; more only when limits were raised.
const QUEUE_HEADS_PER_FINISH: u32 = 4;

/// Assigns requested executions to workers, and runs workflows.
pub struct Scheduler {
    platform: Platform,
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    config: ExecutorConfig,
    /// Round-robin position among capable workers.
    turn: AtomicUsize,
    /// Active and busy workers as last listed, and when.
    listed: Mutex<Option<(Instant, Arc<Vec<Worker>>)>>,
    clock: Arc<dyn Clock>,
    faults: Arc<Faults>,
}

/// What scheduling one execution did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Assigned to this worker.
    Assigned(Id),
    /// No live worker runs its runner type yet: back to `requested`, to be tried again.
    Waiting,
    /// Waited too long for a worker: failed.
    Unschedulable,
    /// Not `requested` (another executor has it, or it was cancelled): nothing done.
    NotRequested,
    /// Held back by a policy: `queued`, to be scheduled in its turn.
    Queued,
    /// Ended by a policy (`method: cancel`) or moved meanwhile: nothing more to do.
    Stopped,
    /// An inquiry action: its question is asked and it waits `pending`.
    Asked,
    /// A workflow: it runs (`running`), its first tasks requested.
    Started,
    /// Stopped at an armed [fault point](crate::faults) (tests only).
    Crashed,
}

impl Scheduler {
    /// A scheduler over the platform's store and bus.
    pub fn new(platform: &Platform, config: ExecutorConfig) -> Self {
        Self {
            platform: platform.clone(),
            store: platform.store.clone(),
            bus: platform.bus.clone(),
            config,
            turn: AtomicUsize::new(0),
            listed: Mutex::new(None),
            clock: Arc::new(SystemClock),
            faults: Arc::new(Faults::new()),
        }
    }

    /// The same, judging waits by `clock` and stopping at the armed points of `faults`.
    pub fn with(mut self, clock: Arc<dyn Clock>, faults: Arc<Faults>) -> Self {
        self.clock = clock;
        self.faults = faults;
        self
    }

    /// Schedules execution `id` if it is still `requested`, or waits `queued` (a policy
    /// may admit it now).
    ///
    /// A requested execution that no policy governs, of an action a worker runs, is placed
    /// in one conditional write (`requested → scheduled` on its worker): its `scheduling`
    /// step would be written and overwritten by this same call, and a crash between the two
    /// writes is recovered exactly like a crash before the first. The others take the
    /// execution first (`scheduling`), then ask its policies, then place it.
    pub async fn schedule(&self, id: Id) -> StoreResult<Placement> {
        let seen = self.store.get_execution(id).await?;
        let execution = match seen.status {
            ExecutionStatus::Requested => {
                if let Some(placement) = self.place_at_once(&seen).await? {
                    return Ok(placement);
                }
                match self.lifecycle().begin_scheduling(id).await? {
                    Some(execution) => execution,
                    None => return Ok(Placement::NotRequested),
                }
            }
            ExecutionStatus::Queued => seen,
            _ => return Ok(Placement::NotRequested),
        };
        if self.faults.crash_at(FaultPoint::AfterBeginScheduling) {
            return Ok(Placement::Crashed);
        }
        let execution = match policies::admit(self.store.as_ref(), self.bus.as_ref(), execution).await? {
            Gate::Go(execution) => *execution,
            Gate::Held { retry_at } => {
                if let Some(at) = retry_at {
                    self.wake_at(id, at);
                }
                return Ok(Placement::Queued);
            }
            Gate::Done => return Ok(Placement::Stopped),
        };
        if self.faults.crash_at(FaultPoint::AfterAdmit) {
            return Ok(Placement::Crashed);
        }
        match execution.action().map(|action| action.runner_type) {
            Ok(RunnerType::Inquiry) => {
                inquiries::ask(self.store.as_ref(), self.bus.as_ref(), &execution).await?;
                return Ok(Placement::Asked);
            }
            Ok(RunnerType::Workflow) => {
                workflows::start(&self.platform, &execution).await?;
                return Ok(Placement::Started);
            }
            _ => {}
        }
        let runner = match execution.action() {
            Ok(action) => action.runner_type.as_str().to_owned(),
            Err(error) => {
                let ending = Ending::failure(FailureKind::SetupFailed, error.to_string());
                self.lifecycle().finish(id, &[ExecutionStatus::Scheduling], ending).await?;
                return Ok(Placement::Unschedulable);
            }
        };
        let now = self.clock.now();
        let workers = self.capable_workers(&runner, now).await?;
        if workers.is_empty() {
            return self.no_worker(&execution, &runner, now).await;
        }
        let worker = &workers[self.turn.fetch_add(1, Ordering::Relaxed) % workers.len()];
        if self.lifecycle().assign(id, worker.id).await?.is_none() {
            // Cancelled while we chose.
            return Ok(Placement::NotRequested);
        }
        Ok(self.assigned(id, worker).await)
    }

    /// Places a requested execution on a worker at once when nothing stands between: no
    /// policy check applies, its action runs on a worker, and a live worker runs it.
    /// `None` when the execution takes the longer way.
    async fn place_at_once(&self, execution: &Execution) -> StoreResult<Option<Placement>> {
        let Ok(action) = execution.action() else { return Ok(None) };
        if matches!(action.runner_type, RunnerType::Inquiry | RunnerType::Workflow) {
            return Ok(None);
        }
        let policies = self.store.action_policies(&execution.action_ref).await?;
        if !policies::checks(&policies, execution).is_empty() {
            return Ok(None);
        }
        let workers = self.capable_workers(action.runner_type.as_str(), self.clock.now()).await?;
        if workers.is_empty() {
            return Ok(None);
        }
        let worker = &workers[self.turn.fetch_add(1, Ordering::Relaxed) % workers.len()];
        if self.lifecycle().place(execution.id, worker.id).await?.is_none() {
            // Taken by another executor, or cancelled, meanwhile.
            return Ok(Some(Placement::NotRequested));
        }
        Ok(Some(self.assigned(execution.id, worker).await))
    }

    /// Tells the worker an execution was assigned to it (unless a test crashes first).
    async fn assigned(&self, id: Id, worker: &Worker) -> Placement {
        if self.faults.crash_at(FaultPoint::AfterAssign) {
            return Placement::Crashed;
        }
        self.hint(&Queue::Worker(worker.id), Message::ExecutionScheduled { execution: id }).await;
        tracing::debug!(execution = id, worker = %worker.name, "scheduled");
        Placement::Assigned(worker.id)
    }

    /// Execution `id` has ended (`status`): the executions queued behind it in its
    /// policies' groups are scheduled in turn (a group stops at its first still held back),
    /// a failed attempt gets the retry its action's retry policy owes, and the workflow it
    /// is a task of (`parent`) takes its next step.
    pub async fn finished(&self, id: Id, status: ExecutionStatus, parent: Option<Id>) -> StoreResult<()> {
        for heads in policies::released_heads(self.store.as_ref(), id, QUEUE_HEADS_PER_FINISH).await? {
            for head in heads {
                match self.schedule(head).await? {
                    Placement::Queued => break,
                    _ => continue,
                }
            }
        }
        if matches!(status, ExecutionStatus::Failed | ExecutionStatus::Timeout) {
            let attempt = self.store.get_execution(id).await?;
            policies::retry(self.store.as_ref(), self.bus.as_ref(), &attempt).await?;
        }
        if let Some(parent) = parent {
            if self.faults.crash_at(FaultPoint::BeforeParentStep) {
                return Ok(());
            }
            workflows::advance(&self.platform, parent).await?;
        }
        Ok(())
    }

    /// Asks for `id` to be scheduled again at `at` (a rate limit's window has room then).
    /// A lost wake-up (a restart) is made good by the reconciler's look at the queues.
    fn wake_at(&self, id: Id, at: Timestamp) {
        let wait = (at - self.clock.now()).to_std().unwrap_or_default();
        let bus = self.bus.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            if let Err(error) = bus.publish(&Queue::Executor, &Message::ExecutionRequested { execution: id }).await {
                tracing::warn!(%error, execution = id, "wake-up not published; the reconciler will send it");
            }
        });
    }

    /// Live workers that advertise `runner`, in a stable order.
    async fn capable_workers(&self, runner: &str, now: Timestamp) -> StoreResult<Vec<Worker>> {
        let fresh_since = now - chrono::Duration::from_std(self.config.dead_after).unwrap_or_default();
        let capable = |workers: &[Worker]| -> Vec<Worker> {
            workers
                .iter()
                .filter(|w| {
                    w.runner_types.iter().any(|r| r == runner)
                        && w.last_heartbeat.is_some_and(|beat| beat >= fresh_since)
                })
                .cloned()
                .collect()
        };
        let recent = self
            .listed
            .lock()
            .expect("listed workers lock")
            .as_ref()
            .and_then(|(at, workers)| (at.elapsed() < LISTED_WORKERS_FOR).then(|| workers.clone()));
        if let Some(workers) = recent {
            let found = capable(&workers);
            // None capable: a worker may have started since; list again rather than wait.
            if !found.is_empty() {
                return Ok(found);
            }
        }
        let mut workers = Vec::new();
        for status in [WorkerStatus::Active, WorkerStatus::Busy] {
            let page = self.store.list_workers(Some(status), PageRequest::new(1, PageRequest::MAX_PAGE_SIZE)).await?;
            workers.extend(page.items);
        }
        workers.sort_by_key(|w| w.id);
        let found = capable(&workers);
        *self.listed.lock().expect("listed workers lock") = Some((Instant::now(), Arc::new(workers)));
        Ok(found)
    }

    /// No worker can run the execution now: wait, or give up once it waited too long.
    async fn no_worker(&self, execution: &Execution, runner: &str, now: Timestamp) -> StoreResult<Placement> {
        let waited = (now - execution.created).to_std().unwrap_or_default();
        if waited < self.config.unschedulable_after {
            self.lifecycle().release(execution.id, ExecutionStatus::Scheduling).await?;
            tracing::info!(execution = execution.id, runner, "no live worker runs this runner type yet; waiting");
            return Ok(Placement::Waiting);
        }
        let message = format!("no live worker runs actions of runner type '{runner}' (waited {}s)", waited.as_secs());
        let ending = Ending::failure(FailureKind::Unschedulable, message);
        self.lifecycle().finish(execution.id, &[ExecutionStatus::Scheduling], ending).await?;
        Ok(Placement::Unschedulable)
    }

    fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle::new(self.store.as_ref(), self.bus.as_ref())
    }

    async fn hint(&self, queue: &Queue, message: Message) {
        if let Err(error) = self.bus.publish(queue, &message).await {
            tracing::warn!(%error, ?message, "hint not published; the reconciler will send it again");
        }
    }
}
