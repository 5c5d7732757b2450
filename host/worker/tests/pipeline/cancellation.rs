//! Cancelling executions before and while they run.

use attune_domain::status::ExecutionStatus;
use attune_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::support::Pipeline;

backend_tests!(cancelling_a_running_action_stops_it, cancelling_queued_work_means_it_never_runs);

async fn cancelling_a_running_action_stops_it(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    let id = pipeline.request("core.sleep", json!({"seconds": 120})).await;
    pipeline.wait_for(id, |e| e.status == ExecutionStatus::Running).await;
    let canceling = attune_services::executions::cancel(&pipeline.platform, id).await.unwrap();
    assert!(matches!(canceling.status, ExecutionStatus::Canceling | ExecutionStatus::Cancelled));
    let ended = pipeline.finished(id).await;
    assert_eq!(ended.status, ExecutionStatus::Cancelled, "{:?}", ended.result);
    assert_eq!(ended.result.unwrap()["error"]["kind"], "cancelled");
    pipeline.stop().await;
}

async fn cancelling_queued_work_means_it_never_runs(backend: Backend) {
    let pipeline = Pipeline::start(backend).await;
    // Fill the only worker's slots, then queue one more and cancel it before it starts.
    let mut sleepers = Vec::new();
    for _ in 0..4 {
        sleepers.push(pipeline.request("core.sleep", json!({"seconds": 120})).await);
    }
    for id in &sleepers {
        pipeline.wait_for(*id, |e| e.status == ExecutionStatus::Running).await;
    }
    let queued = pipeline.request("core.echo", json!({"message": "never"})).await;
    pipeline.wait_for(queued, |e| e.status == ExecutionStatus::Scheduled).await;
    let cancelled = attune_services::executions::cancel(&pipeline.platform, queued).await.unwrap();
    assert_eq!(cancelled.status, ExecutionStatus::Cancelled);
    for id in sleepers {
        attune_services::executions::cancel(&pipeline.platform, id).await.unwrap();
        assert_eq!(pipeline.finished(id).await.status, ExecutionStatus::Cancelled);
    }
    let never = pipeline.platform.store.get_execution(queued).await.unwrap();
    assert_eq!(never.status, ExecutionStatus::Cancelled);
    assert!(never.started.is_none(), "it never started");
    assert!(pipeline.output(queued).await.is_empty());
    pipeline.stop().await;
}
