//! What the executor's test suites share: a store holding the core pack and one live
//! local worker running shell actions, and a world around it whose clock moves by hand and
//! whose scheduler stops at armed fault points.

#![allow(dead_code, reason = "each suite uses the part it needs")]

use std::sync::Arc;
use std::time::Duration;

use attune_bus::MemoryBus;
use attune_domain::Id;
use attune_domain::execution::NewExecution;
use attune_domain::policy::NewPolicy;
use attune_domain::status::{ExecutionStatus, PolicyMethod, PolicyType, WorkerStatus};
use attune_domain::worker::NewWorker;
use attune_executor::clock::ManualClock;
use attune_executor::faults::Faults;
use attune_executor::{ExecutorConfig, Reconciler, Scheduler};
use attune_security::{Cipher, TokenIssuer};
use attune_services::Platform;
use attune_test_support::{Backend, TestStore};
use serde_json::{Value, json};

/// The platform over `store` and `bus` (a fixed test key).
pub fn platform(store: &TestStore, bus: Arc<MemoryBus>) -> Platform {
    let tokens = TokenIssuer::new(b"executor-tests", Duration::from_secs(3600), Duration::from_secs(86400));
    Platform { store: store.store.clone(), tokens, cipher: Cipher::new(&[3; 32]), bus, artifact_files: None }
}

/// A store on `backend` with the core pack, and the id of a worker that just heartbeat.
pub async fn store_with_worker(backend: Backend) -> (TestStore, Id) {
    let store = TestStore::new(backend).await;
    let core = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/core");
    attune_packs::register_pack(store.store.as_ref(), &core).await.unwrap();
    let worker = store.store.register_worker(&NewWorker::local("w", &["shell"])).await.unwrap().id;
    store.store.heartbeat_worker(worker, WorkerStatus::Active).await.unwrap();
    (store, worker)
}

/// Timings of the clocked world: stale after 15 s, a worker dead after 30 s.
pub const CONFIG: ExecutorConfig = ExecutorConfig {
    dead_after: Duration::from_secs(30),
    stale_after: Duration::from_secs(15),
    unschedulable_after: Duration::from_secs(300),
    reconcile_every: Duration::from_secs(5),
};

/// A store with a live worker, a bus, a hand-moved clock and fault points.
pub struct World {
    pub store: TestStore,
    pub bus: Arc<MemoryBus>,
    pub clock: Arc<ManualClock>,
    pub faults: Arc<Faults>,
    pub worker: Id,
}

impl World {
    pub async fn new(backend: Backend) -> World {
        let (store, worker) = store_with_worker(backend).await;
        World {
            store,
            bus: Arc::new(MemoryBus::new()),
            clock: Arc::new(ManualClock::new()),
            faults: Arc::new(Faults::new()),
            worker,
        }
    }

    pub fn scheduler(&self) -> Scheduler {
        Scheduler::new(&self.platform(), CONFIG).with(self.clock.clone(), self.faults.clone())
    }

    pub fn reconciler(&self) -> Reconciler {
        Reconciler::new(&self.platform(), CONFIG).with_clock(self.clock.clone())
    }

    pub fn platform(&self) -> Platform {
        platform(&self.store, self.bus.clone())
    }

    /// A new request of `action_ref` with `parameters`.
    pub async fn requested_of(&self, action_ref: &str, parameters: Value) -> Id {
        let config = serde_json::to_value(self.store.store.get_action(action_ref).await.unwrap()).unwrap();
        let new = NewExecution::of(action_ref, config, parameters);
        self.store.store.create_execution(&new).await.unwrap().id
    }

    /// A new request of `core.echo`.
    pub async fn requested(&self) -> Id {
        self.requested_of("core.echo", json!({"message": "hi"})).await
    }

    /// A policy of `policy_type` on `core.echo`.
    pub async fn policy(&self, policy_type: PolicyType, method: Option<PolicyMethod>, threshold: i64, settings: Value) {
        let policy = NewPolicy {
            r#ref: format!("core.echo_{policy_type}"),
            action_ref: "core.echo".into(),
            policy_type,
            method,
            threshold,
            parameters: Vec::new(),
            settings,
            enabled: true,
        };
        self.store.store.create_policy(&policy).await.unwrap();
    }

    pub async fn status(&self, id: Id) -> ExecutionStatus {
        self.store.store.get_execution(id).await.unwrap().status
    }
}
