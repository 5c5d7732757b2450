//! Persisted workflow runs: one per execution, written one step at a time — the state, the
//! task runs and their children together, or nothing.

use attune_domain::execution::{Execution, ExecutionPatch};
use attune_domain::status::ExecutionStatus::{self, *};
use attune_domain::workflow::{TaskRunChange, WorkflowExecution};
use serde_json::json;

use crate::support::*;

conformance_tests!(
    starts_tracking_a_workflow_once,
    a_step_writes_the_state_the_runs_and_their_children_together,
    a_step_computed_from_an_old_revision_writes_nothing,
    a_step_of_a_workflow_no_longer_running_writes_nothing,
    finished_runs_waiting_items_and_item_outcomes_are_read_back,
    children_whose_end_went_unheard_and_stalled_workflows_are_found,
    missing_workflow_state_is_not_found,
);

async fn move_to(store: &TestStore, id: attune_domain::Id, from: ExecutionStatus, to: ExecutionStatus) -> Execution {
    let patch = ExecutionPatch { finished: to.is_terminal().then(chrono::Utc::now), ..ExecutionPatch::default() };
    let moved = store.transition_execution(id, &[from], to, &patch).await.unwrap();
    moved.unwrap()
}

/// A `sample.deploy` execution, running, with its run started.
async fn running_workflow(store: &TestStore) -> WorkflowExecution {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    move_to(store, execution.id, Requested, Scheduling).await;
    move_to(store, execution.id, Scheduling, Running).await;
    let graph = json!({"tasks": {"first": {"action": "sample.notify"}}});
    store.start_workflow_execution(execution.id, "sample.deploy", &graph, &json!({"n": 0}), &json!({})).await.unwrap()
}

async fn starts_tracking_a_workflow_once(store: &TestStore) {
    let run = running_workflow(store).await;
    let definition = store.get_workflow_definition("sample.deploy").await.unwrap();
    assert_eq!((run.workflow_def, run.status, run.revision), (Some(definition.id), Running, 0));
    assert_eq!((run.variables.clone(), run.state.clone()), (json!({"n": 0}), json!({})));
    assert_eq!(run.task_graph["tasks"]["first"]["action"], "sample.notify");
    // A start repeated (after a crash) finds the run as it was.
    let again =
        store.start_workflow_execution(run.execution, "sample.deploy", &json!({}), &json!({}), &json!({"x": 1})).await;
    assert_eq!(again.unwrap(), run);
    assert_eq!(store.get_workflow_execution(run.execution).await.unwrap(), run);
    assert_unknown_reference(
        store.start_workflow_execution(i64::MAX, "sample.deploy", &json!({}), &json!({}), &json!({})).await,
    );
}

async fn a_step_writes_the_state_the_runs_and_their_children_together(store: &TestStore) {
    let run = running_workflow(store).await;
    let step = step_of(&run, vec![task_run("first", None, Some(run.execution)), task_run("deploy", Some(3), None)]);
    let children = store.write_workflow_step(&step).await.unwrap().expect("written");
    assert_eq!(children.len(), 1);
    assert_eq!((children[0].parent, children[0].status), (Some(run.execution), Requested));

    let written = store.get_workflow_execution(run.execution).await.unwrap();
    assert_eq!(written.revision, 1);
    assert_eq!((&written.state, &written.variables), (&json!({"begun": true}), &json!({"greeting": "hi"})));
    assert_eq!(written.current_tasks, ["first"]);
    let runs = store.list_task_executions(run.id).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0].task_name.as_str(), runs[0].execution, runs[0].status),
        ("first", Some(children[0].id), Running)
    );
    assert!(runs[0].started_at.is_some());
    assert_eq!((runs[1].task_index, runs[1].status, runs[1].execution), (Some(3), Requested, None));
    assert_eq!(runs[1].item, Some(json!({"host": 3})));

    // The next step changes a run: a retry's child, then its end.
    let mut next = step_of(&written, Vec::new());
    next.changed_runs.push(TaskRunChange {
        id: runs[0].id,
        follows: None,
        status: Running,
        child: Some(task_run("first", None, Some(run.execution)).child.unwrap()),
        result: None,
        retry_count: 1,
        next_retry_at: None,
        timed_out: false,
    });
    let retry = store.write_workflow_step(&next).await.unwrap().unwrap();
    let runs = store.list_task_executions(run.id).await.unwrap();
    assert_eq!((runs[0].execution, runs[0].retry_count), (Some(retry[0].id), 1));
    let written = store.get_workflow_execution(run.execution).await.unwrap();
    let mut last = step_of(&written, Vec::new());
    last.changed_runs.push(TaskRunChange {
        id: runs[0].id,
        follows: None,
        status: Timeout,
        child: None,
        result: Some(json!({"error": {"kind": "timeout"}})),
        retry_count: 1,
        next_retry_at: None,
        timed_out: true,
    });
    assert_eq!(store.write_workflow_step(&last).await.unwrap(), Some(Vec::new()));
    let ended = &store.list_task_executions(run.id).await.unwrap()[0];
    assert_eq!((ended.status, ended.timed_out, ended.execution), (Timeout, true, Some(retry[0].id)));
    assert!(ended.completed_at.is_some());
}

async fn a_step_computed_from_an_old_revision_writes_nothing(store: &TestStore) {
    let run = running_workflow(store).await;
    let step = step_of(&run, vec![task_run("first", None, Some(run.execution))]);
    assert!(store.write_workflow_step(&step).await.unwrap().is_some());
    // Another executor computed the same step from the same revision: it loses, and makes
    // no child.
    assert_eq!(store.write_workflow_step(&step).await.unwrap(), None);
    assert_eq!(store.list_task_executions(run.id).await.unwrap().len(), 1);
    let filter = attune_domain::execution::ExecutionFilter { parent: Some(run.execution), ..Default::default() };
    assert_eq!(store.list_executions(&filter, all()).await.unwrap().total, 1);
}

async fn a_step_of_a_workflow_no_longer_running_writes_nothing(store: &TestStore) {
    let run = running_workflow(store).await;
    move_to(store, run.execution, Running, Cancelled).await;
    let step = step_of(&run, vec![task_run("first", None, Some(run.execution))]);
    assert_eq!(store.write_workflow_step(&step).await.unwrap(), None);
    assert!(store.list_task_executions(run.id).await.unwrap().is_empty());
    store.close_workflow_execution(run.execution, Cancelled).await.unwrap();
    assert_eq!(store.get_workflow_execution(run.execution).await.unwrap().status, Cancelled);
}

async fn finished_runs_waiting_items_and_item_outcomes_are_read_back(store: &TestStore) {
    let run = running_workflow(store).await;
    let mut runs =
        vec![task_run("items", Some(0), Some(run.execution)), task_run("items", Some(1), Some(run.execution))];
    runs.extend((2..5).rev().map(|i| task_run("items", Some(i), None)));
    let children = store.write_workflow_step(&step_of(&run, runs)).await.unwrap().unwrap();
    assert!(store.list_finished_runs(run.id).await.unwrap().is_empty(), "nothing ended yet");

    move_to(store, children[1].id, Requested, Cancelled).await;
    let finished = store.list_finished_runs(run.id).await.unwrap();
    assert_eq!(finished.len(), 1);
    assert_eq!((finished[0].run.task_index, finished[0].status), (Some(1), Cancelled));

    let waiting = store.list_waiting_items(run.id, "items", 1, 0, 2).await.unwrap();
    assert_eq!(waiting.iter().map(|w| w.task_index).collect::<Vec<_>>(), [Some(2), Some(3)], "lowest index first");
    let later = store.list_waiting_items(run.id, "items", 1, 3, 10).await.unwrap();
    assert_eq!(later.iter().map(|w| w.task_index).collect::<Vec<_>>(), [Some(3), Some(4)], "from an index");
    assert!(store.list_waiting_items(run.id, "items", 2, 0, 10).await.unwrap().is_empty(), "another round");
    let outcomes = store.list_item_outcomes(run.id, "items", 1).await.unwrap();
    assert_eq!(outcomes.iter().map(|o| o.index).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(outcomes[0].status, Running);
}

async fn children_whose_end_went_unheard_and_stalled_workflows_are_found(store: &TestStore) {
    let run = running_workflow(store).await;
    let later = chrono::Utc::now() + chrono::TimeDelta::seconds(5);
    // Started, nothing in flight: stalled.
    assert_eq!(ids(store.list_stalled_workflows(later, 10).await.unwrap()), [run.execution]);
    let children = store
        .write_workflow_step(&step_of(&run, vec![task_run("first", None, Some(run.execution))]))
        .await
        .unwrap()
        .unwrap();
    assert!(store.list_stalled_workflows(later, 10).await.unwrap().is_empty(), "a child is in flight");
    assert!(store.list_unheard_children(later, 10).await.unwrap().is_empty());

    let child = children[0].id;
    move_to(store, child, Requested, Cancelled).await;
    let now = chrono::Utc::now();
    assert_eq!(ids(store.list_unheard_children(later, 10).await.unwrap()), [child]);
    assert!(
        store.list_unheard_children(now - chrono::TimeDelta::seconds(60), 10).await.unwrap().is_empty(),
        "too recent"
    );
    assert_eq!(ids(store.list_stalled_workflows(later, 10).await.unwrap()), [run.execution]);
    assert!(store.list_stalled_workflows(now - chrono::TimeDelta::seconds(60), 10).await.unwrap().is_empty());
}

fn ids(executions: Vec<Execution>) -> Vec<attune_domain::Id> {
    executions.into_iter().map(|e| e.id).collect()
}

async fn missing_workflow_state_is_not_found(store: &TestStore) {
    assert_not_found(store.get_workflow_execution(i64::MAX).await);
}
