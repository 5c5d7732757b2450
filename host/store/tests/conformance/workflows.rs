//! Persisted workflow state: a workflow run per execution and the runs of its tasks.

use attune_domain::status::ExecutionStatus;
use serde_json::json;

use crate::support::*;

conformance_tests!(
    starts_tracking_a_running_workflow,
    saves_every_mutable_field_of_a_workflow_run,
    an_execution_has_at_most_one_workflow_run,
    workflow_runs_of_unknown_executions_are_refused,
    records_task_runs_in_creation_order,
    saves_every_mutable_field_of_a_task_run,
    missing_workflow_state_is_not_found,
);

async fn started_workflow(store: &TestStore) -> attune_domain::workflow::WorkflowExecution {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    store.create_workflow_execution(execution.id, "sample.deploy", &json!({"attempts": 0})).await.unwrap()
}

async fn starts_tracking_a_running_workflow(store: &TestStore) {
    let run = started_workflow(store).await;
    let definition = store.get_workflow_definition("sample.deploy").await.unwrap();
    assert_eq!((run.workflow_def, run.status), (Some(definition.id), ExecutionStatus::Running));
    assert_eq!(run.variables, json!({"attempts": 0}));
    assert!(run.current_tasks.is_empty() && run.completed_tasks.is_empty());
    assert!(run.failed_tasks.is_empty() && run.skipped_tasks.is_empty());
    assert_eq!((run.error_message.clone(), run.paused, run.pause_reason.clone()), (None, false, None));
    assert_eq!(store.get_workflow_execution(run.execution).await.unwrap(), run);
}

async fn saves_every_mutable_field_of_a_workflow_run(store: &TestStore) {
    let run = started_workflow(store).await;
    let mut changed = run.clone();
    changed.current_tasks = vec!["test".into(), "lint".into()];
    changed.completed_tasks = vec!["build".into()];
    changed.failed_tasks = vec!["flaky".into()];
    changed.skipped_tasks = vec!["notify_failure".into()];
    changed.variables = json!({"attempts": 1, "artifact": "build-42"});
    changed.task_graph = json!({"build": ["test", "lint"]});
    changed.status = ExecutionStatus::Failed;
    changed.error_message = Some("task flaky failed".into());
    changed.paused = true;
    changed.pause_reason = Some("operator".into());

    let saved = store.save_workflow_execution(&changed).await.unwrap();
    assert!(saved.updated >= run.updated);
    changed.updated = saved.updated;
    assert_eq!(saved, changed);
    assert_eq!(store.get_workflow_execution(run.execution).await.unwrap(), saved);
}

async fn an_execution_has_at_most_one_workflow_run(store: &TestStore) {
    let run = started_workflow(store).await;
    assert_conflict(store.create_workflow_execution(run.execution, "sample.deploy", &json!({})).await);
    assert_eq!(store.get_workflow_execution(run.execution).await.unwrap(), run);
}

async fn workflow_runs_of_unknown_executions_are_refused(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_unknown_reference(store.create_workflow_execution(i64::MAX, "sample.deploy", &json!({})).await);
    assert_unknown_reference(store.create_task_execution(&new_task(i64::MAX, "build", None)).await);
}

async fn records_task_runs_in_creation_order(store: &TestStore) {
    let run = started_workflow(store).await;
    let other = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let other_run = store.create_workflow_execution(other.id, "sample.deploy", &json!({})).await.unwrap();
    let child = store.create_execution(&new_execution("sample.notify")).await.unwrap();

    let build = store.create_task_execution(&new_task(run.id, "build", Some(child.id))).await.unwrap();
    assert_eq!((build.workflow_execution, build.execution), (run.id, Some(child.id)));
    assert_eq!((build.task_name.as_str(), build.status), ("build", ExecutionStatus::Requested));
    assert_eq!((build.max_retries, build.timeout_seconds, build.retry_count), (2, Some(60), 0));
    assert_eq!((build.result.clone(), build.timed_out), (None, false));
    let mut item = new_task(run.id, "deploy", None);
    item.task_index = Some(3);
    item.task_batch = Some(1);
    let deploy = store.create_task_execution(&item).await.unwrap();
    assert_eq!((deploy.task_index, deploy.task_batch), (Some(3), Some(1)));
    let elsewhere = store.create_task_execution(&new_task(other_run.id, "build", None)).await.unwrap();
    let test = store.create_task_execution(&new_task(run.id, "test", None)).await.unwrap();

    assert_eq!(store.list_task_executions(run.id).await.unwrap(), [build, deploy, test]);
    assert_eq!(store.list_task_executions(other_run.id).await.unwrap(), [elsewhere]);
    assert!(store.list_task_executions(i64::MAX).await.unwrap().is_empty());
}

async fn saves_every_mutable_field_of_a_task_run(store: &TestStore) {
    let run = started_workflow(store).await;
    let child = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let task = store.create_task_execution(&new_task(run.id, "build", None)).await.unwrap();
    let mut changed = task.clone();
    changed.execution = Some(child.id);
    changed.status = ExecutionStatus::Timeout;
    changed.started_at = Some(now());
    changed.completed_at = Some(now());
    changed.duration_ms = Some(1500);
    changed.result = Some(json!({"stdout": "built"}));
    changed.error = Some(json!({"kind": "timeout"}));
    changed.retry_count = 1;
    changed.next_retry_at = Some(now() + chrono::Duration::seconds(4));
    changed.timed_out = true;

    let saved = store.save_task_execution(&changed).await.unwrap();
    assert!(saved.updated >= task.updated);
    changed.updated = saved.updated;
    assert_eq!(saved, changed);
    assert_eq!(store.list_task_executions(run.id).await.unwrap(), [saved]);
}

async fn missing_workflow_state_is_not_found(store: &TestStore) {
    let run = started_workflow(store).await;
    let task = store.create_task_execution(&new_task(run.id, "build", None)).await.unwrap();
    assert_not_found(store.get_workflow_execution(run.execution + 1000).await);
    let mut missing_run = run.clone();
    missing_run.id += 1000;
    assert_not_found(store.save_workflow_execution(&missing_run).await);
    let mut missing_task = task.clone();
    missing_task.id += 1000;
    assert_not_found(store.save_task_execution(&missing_task).await);
}
