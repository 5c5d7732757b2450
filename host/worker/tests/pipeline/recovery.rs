//! What the store says must happen happens, even when messages are lost and workers die.

use attune_bus::Queue;
use std::time::Duration;

use attune_domain::execution::NewExecution;
use attune_domain::status::ExecutionStatus;
use attune_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::support::{Options, Pipeline};

backend_tests!(a_lost_hint_is_sent_again, a_dead_workers_executions_are_abandoned_or_run_again);

async fn a_lost_hint_is_sent_again(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    // Recorded, but nobody told: as if the process died between the write and the publish.
    let action = pipeline.platform.store.get_action("core.noop").await.unwrap();
    let execution = pipeline
        .platform
        .store
        .create_execution(&NewExecution::of(&action.r#ref, serde_json::to_value(&action).unwrap(), json!({})))
        .await
        .unwrap();
    assert_eq!(pipeline.bus.depth(&Queue::Executor), 0);
    let done = pipeline.finished(execution.id).await;
    assert_eq!(done.status, ExecutionStatus::Completed, "the reconciler re-drove it: {:?}", done.result);
    pipeline.stop().await;
}

async fn a_dead_workers_executions_are_abandoned_or_run_again(backend: Backend) {
    let mut options = Options { workers: 0, ..Options::default() };
    // The idempotent execution waits for a new worker; it must not give up meanwhile.
    options.executor.unschedulable_after = Duration::from_secs(120);
    let mut pipeline = Pipeline::start_with(backend, options).await;
    let mortal = pipeline.start_worker("mortal", 4).await;
    pipeline
        .register_pack(
            "jobs",
            &[
                ("actions/once.yaml", "runner_type: shell\nentry_point: nap.sh\n"),
                ("actions/again.yaml", "runner_type: shell\nentry_point: nap.sh\nidempotent: true\n"),
                ("actions/nap.sh", "sleep 60\necho '{}'\n"),
            ],
        )
        .await;
    let once = pipeline.request("jobs.once", json!({})).await;
    let again = pipeline.request("jobs.again", json!({})).await;
    pipeline.wait_for(once, |e| e.status == ExecutionStatus::Running).await;
    pipeline.wait_for(again, |e| e.status == ExecutionStatus::Running).await;

    // The worker goes away mid-run: it stops heartbeating and finishes nothing.
    mortal.cancel();
    let abandoned = pipeline.finished(once).await;
    assert_eq!(abandoned.status, ExecutionStatus::Abandoned, "{:?}", abandoned.result);
    assert_eq!(abandoned.result.unwrap()["error"]["kind"], "abandoned");

    // The idempotent one goes back to the queue as its next attempt, and a new worker runs it.
    let requeued = pipeline.wait_for(again, |e| e.attempt == 2).await;
    assert!(!requeued.status.is_terminal(), "{requeued:?}");
    pipeline.start_worker("replacement", 4).await;
    let rerun = pipeline.wait_for(again, |e| e.status == ExecutionStatus::Running).await;
    assert_eq!(rerun.attempt, 2);
    let mortal_id = abandoned.worker;
    assert_ne!(rerun.worker, mortal_id, "the new worker runs it");
    attune_services::executions::cancel(&pipeline.platform, again).await.unwrap();
    pipeline.finished(again).await;
    pipeline.stop().await;
}
