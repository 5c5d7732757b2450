//! Workers: registered and re-registered by name, kept alive by heartbeats, expired when
//! their heartbeats stop, listed and deleted.

use attune_domain::execution::ExecutionPatch;
use attune_domain::status::{ExecutionStatus, WorkerStatus, WorkerType};
use serde_json::json;

use crate::support::*;

conformance_tests!(
    registers_an_active_worker,
    registering_a_known_name_again_updates_that_worker,
    a_heartbeat_records_the_worker_status,
    expires_active_and_busy_workers_with_stale_heartbeats,
    lists_workers_by_name_and_status,
    deleting_a_worker_keeps_its_executions,
    missing_workers_are_not_found,
);

async fn registers_an_active_worker(store: &TestStore) {
    let before = now();
    let declared = new_worker("w1");
    let worker = store.register_worker(&declared).await.unwrap();
    assert_eq!((worker.name.as_str(), worker.worker_type), ("w1", WorkerType::Local));
    assert_eq!((worker.runner_types.clone(), worker.host.clone()), (declared.runner_types, declared.host));
    assert_eq!((worker.port, worker.capabilities.clone()), (None, declared.capabilities));
    assert_eq!(worker.status, WorkerStatus::Active);
    assert!(worker.last_heartbeat.is_some_and(|at| at >= before));
    assert_eq!(store.get_worker(worker.id).await.unwrap(), worker);
}

async fn registering_a_known_name_again_updates_that_worker(store: &TestStore) {
    let first = store.register_worker(&new_worker("w1")).await.unwrap();
    store.heartbeat_worker(first.id, WorkerStatus::Error).await.unwrap();
    let mut restarted = new_worker("w1");
    restarted.worker_type = WorkerType::Remote;
    restarted.runner_types = vec!["python".into()];
    restarted.port = Some(7000);
    restarted.capabilities = json!({"max_concurrent": 8});

    let second = store.register_worker(&restarted).await.unwrap();
    assert_eq!((second.id, second.created), (first.id, first.created));
    assert_eq!((second.worker_type, second.runner_types.clone()), (WorkerType::Remote, restarted.runner_types));
    assert_eq!((second.port, second.capabilities.clone()), (Some(7000), restarted.capabilities));
    assert_eq!(second.status, WorkerStatus::Active);
    assert!(second.last_heartbeat >= first.last_heartbeat);
    assert_eq!(store.list_workers(None, all()).await.unwrap().total, 1);
}

async fn a_heartbeat_records_the_worker_status(store: &TestStore) {
    let registered = store.register_worker(&new_worker("w1")).await.unwrap();
    let busy = store.heartbeat_worker(registered.id, WorkerStatus::Busy).await.unwrap();
    assert_eq!((busy.id, busy.status), (registered.id, WorkerStatus::Busy));
    assert!(busy.last_heartbeat >= registered.last_heartbeat);
    assert_eq!(store.get_worker(registered.id).await.unwrap(), busy);
}

async fn expires_active_and_busy_workers_with_stale_heartbeats(store: &TestStore) {
    let active = store.register_worker(&new_worker("active")).await.unwrap();
    let busy = store.register_worker(&new_worker("busy")).await.unwrap();
    let busy = store.heartbeat_worker(busy.id, WorkerStatus::Busy).await.unwrap();
    let failing = store.register_worker(&new_worker("failing")).await.unwrap();
    store.heartbeat_worker(failing.id, WorkerStatus::Error).await.unwrap();
    let fresh = store.register_worker(&new_worker("fresh")).await.unwrap();
    let [active_beat, busy_beat, fresh_beat] = [&active, &busy, &fresh].map(|w| w.last_heartbeat.unwrap());
    assert!(active_beat < busy_beat && busy_beat < fresh_beat, "heartbeats must be distinct");

    // Heartbeats at `before` or later are not stale.
    assert!(store.expire_workers(active_beat).await.unwrap().is_empty());
    let mut expired = store.expire_workers(fresh_beat).await.unwrap();
    expired.sort();
    assert_eq!(expired, [active.id, busy.id]);
    for worker in [active.id, busy.id] {
        assert_eq!(store.get_worker(worker).await.unwrap().status, WorkerStatus::Inactive);
    }
    assert_eq!(store.get_worker(failing.id).await.unwrap().status, WorkerStatus::Error);
    assert_eq!(store.get_worker(fresh.id).await.unwrap().status, WorkerStatus::Active);
    // Inactive workers are not expired twice.
    assert_eq!(store.expire_workers(fresh_beat).await.unwrap(), Vec::<i64>::new());
}

async fn lists_workers_by_name_and_status(store: &TestStore) {
    for name in ["w3", "w1", "w4", "w2"] {
        store.register_worker(&new_worker(name)).await.unwrap();
    }
    let w2 = store.list_workers(None, all()).await.unwrap().items[1].clone();
    store.heartbeat_worker(w2.id, WorkerStatus::Busy).await.unwrap();
    let names = |page: attune_domain::page::Page<attune_domain::worker::Worker>| {
        page.items.into_iter().map(|w| w.name).collect::<Vec<_>>()
    };

    let every_worker = store.list_workers(None, all()).await.unwrap();
    assert_eq!(every_worker.total, 4);
    assert_eq!(names(every_worker), ["w1", "w2", "w3", "w4"]);
    assert_eq!(names(store.list_workers(Some(WorkerStatus::Active), all()).await.unwrap()), ["w1", "w3", "w4"]);
    assert_eq!(names(store.list_workers(Some(WorkerStatus::Busy), all()).await.unwrap()), ["w2"]);
    let second = store.list_workers(Some(WorkerStatus::Active), page(2, 2)).await.unwrap();
    assert_eq!((second.total, second.request), (3, page(2, 2)));
    assert_eq!(names(second), ["w4"]);
}

async fn deleting_a_worker_keeps_its_executions(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let worker = store.register_worker(&new_worker("w1")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let assign = ExecutionPatch { worker: Some(worker.id), ..ExecutionPatch::default() };
    let requested = [ExecutionStatus::Requested];
    store.transition_execution(execution.id, &requested, ExecutionStatus::Running, &assign).await.unwrap().unwrap();

    store.delete_worker(worker.id).await.unwrap();

    assert_not_found(store.get_worker(worker.id).await);
    let orphan = store.get_execution(execution.id).await.unwrap();
    assert_eq!((orphan.worker, orphan.status), (None, ExecutionStatus::Running));
}

async fn missing_workers_are_not_found(store: &TestStore) {
    assert_not_found(store.get_worker(42).await);
    assert_not_found(store.heartbeat_worker(42, WorkerStatus::Active).await);
    assert_not_found(store.delete_worker(42).await);
}
