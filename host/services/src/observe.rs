//! What the platform reports to operators: the metrics of execution status changes, and
//! the probes (readiness, gauges read from the store) of a role built on a [`Platform`].
//!
//! Status changes are recorded where they are made ([`crate::lifecycle`] and
//! [`crate::notify`]), so every process counts the changes it made.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Instant;

use async_trait::async_trait;
use attune_bus::Queue;
use attune_domain::execution::Execution;
use attune_domain::page::PageRequest;
use attune_domain::status::{ExecutionStatus, WorkerStatus};
use attune_telemetry::ops::{Check, Probes};
use attune_telemetry::record;

use crate::Platform;

/// Records that `execution` reached its status: the count, and on start the time it
/// waited, on its end how long it ran and, for WASM, what it used.
pub fn execution(execution: &Execution) {
    let runtime = execution.config.get("runner_type").and_then(|value| value.as_str()).unwrap_or("unknown");
    let status = execution.status.as_str();
    record::execution_status(status, &execution.action_ref, runtime);
    let seconds = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>| {
        (to - from).to_std().map_or(0.0, |elapsed| elapsed.as_secs_f64())
    };
    if execution.status == ExecutionStatus::Running
        && let Some(started) = execution.started
    {
        record::execution_started(runtime, seconds(execution.created, started));
    }
    if execution.status.is_terminal()
        && let (Some(started), Some(finished)) = (execution.started, execution.finished)
    {
        record::execution_ended(&execution.action_ref, runtime, status, seconds(started, finished));
        let metering = execution.metering.as_ref();
        let fuel = metering.and_then(|m| m.get("fuel_consumed")).and_then(|v| v.as_u64());
        let memory = metering.and_then(|m| m.get("peak_memory_bytes")).and_then(|v| v.as_u64());
        if let (Some(fuel), Some(memory)) = (fuel, memory) {
            record::wasm_usage(&execution.action_ref, fuel, memory);
        }
    }
}

/// The probes of a role that needs the store and the bus; `gauges` when it is the one
/// process of its deployment that exports the gauges read from the store (the API, or the
/// embedded server), so that they are never counted twice.
pub struct PlatformProbes {
    platform: Platform,
    gauges: bool,
    /// Label values given a gauge so far: set to zero when they disappear.
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    runtimes: BTreeSet<String>,
    policies: BTreeSet<String>,
}

impl PlatformProbes {
    /// Probes of `platform`.
    pub fn new(platform: Platform, gauges: bool) -> Self {
        Self { platform, gauges, seen: Mutex::default() }
    }

    /// Whether the store answers a read.
    pub async fn store_ready(&self) -> bool {
        let started = Instant::now();
        let answered = self.platform.store.list_runtimes(PageRequest::new(1, 1)).await;
        record::store_ping(self.platform.store.backend(), started.elapsed().as_secs_f64());
        answered.inspect_err(|error| tracing::warn!(%error, "readiness: the store does not answer")).is_ok()
    }

    /// Whether the bus is connected.
    pub async fn bus_ready(&self) -> bool {
        self.platform
            .bus
            .ready()
            .await
            .inspect_err(|error| tracing::warn!(%error, "readiness: the bus is down"))
            .is_ok()
    }

    /// Sets the depth of the executor's and the rules engine's queues, and of the queues of
    /// the `workers` alive together; a queue the bus cannot measure now is left as it was.
    async fn refresh_bus(&self, workers: Vec<attune_domain::Id>) {
        let bus = self.platform.bus.as_ref();
        for queue in [Queue::Executor, Queue::Events] {
            match bus.depth(&queue).await {
                Ok(depth) => record::bus_depth(queue.kind(), depth),
                Err(error) => tracing::debug!(%error, queue = queue.kind(), "cannot read a queue's depth"),
            }
        }
        let mut waiting = 0;
        for worker in workers {
            match bus.depth(&Queue::Worker(worker)).await {
                Ok(depth) => waiting += depth,
                Err(error) => return tracing::debug!(%error, "cannot read a worker queue's depth"),
            }
        }
        record::bus_depth("worker", waiting);
    }

    async fn refresh_gauges(&self) -> attune_store::StoreResult<()> {
        let workers = self.platform.store.list_workers(None, PageRequest::new(1, PageRequest::MAX_PAGE_SIZE)).await?;
        let mut alive = std::collections::BTreeMap::<String, usize>::new();
        for worker in workers.items.iter().filter(|w| matches!(w.status, WorkerStatus::Active | WorkerStatus::Busy)) {
            for runtime in &worker.runner_types {
                *alive.entry(runtime.clone()).or_default() += 1;
            }
        }
        self.refresh_bus(
            workers
                .items
                .iter()
                .filter(|w| matches!(w.status, WorkerStatus::Active | WorkerStatus::Busy))
                .map(|w| w.id)
                .collect(),
        )
        .await;
        let depths = self.platform.store.queue_depths().await?;
        let mut seen = self.seen.lock().expect("seen labels lock");
        seen.runtimes.extend(alive.keys().cloned());
        seen.policies.extend(depths.iter().map(|(policy, _)| policy.clone()));
        for runtime in &seen.runtimes {
            record::workers_alive(runtime, alive.get(runtime).copied().unwrap_or(0));
        }
        for policy in &seen.policies {
            let depth = depths.iter().find(|(p, _)| p == policy).map_or(0, |(_, depth)| *depth);
            record::policy_queue(policy, depth);
        }
        Ok(())
    }
}

#[async_trait]
impl Probes for PlatformProbes {
    async fn ready(&self) -> Vec<Check> {
        vec![Check { name: "store", ok: self.store_ready().await }, Check { name: "bus", ok: self.bus_ready().await }]
    }

    async fn refresh(&self) {
        if self.gauges
            && let Err(error) = self.refresh_gauges().await
        {
            tracing::warn!(%error, "cannot read the gauges of /metrics from the store");
        }
    }
}
