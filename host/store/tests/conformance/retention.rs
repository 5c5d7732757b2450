//! Retention: exactly what is due is deleted, batch by batch; what is still in use stays.

use attune_domain::audit::NewAuditEntry;
use attune_domain::execution::{Execution, ExecutionPatch, NewExecution};
use attune_domain::status::{EnforcementStatus, ExecutionStatus};
use attune_store::{Collectable, Due};

use crate::support::*;

conformance_tests!(
    ended_executions_and_their_output_are_collected_unless_still_in_use,
    the_newest_are_kept_by_count_and_the_rest_by_age,
    events_enforcements_and_audit_entries_are_collected_once_done_with,
);

/// Everything old enough: a moment from now.
fn everything() -> Due {
    Due { before: Some(chrono::Utc::now() + chrono::TimeDelta::seconds(1)), keep: None }
}

async fn ended(store: &TestStore, status: ExecutionStatus, parent: Option<i64>) -> Execution {
    let execution = store.create_execution(&NewExecution { parent, ..new_execution("sample.notify") }).await.unwrap();
    let patch = ExecutionPatch { finished: Some(chrono::Utc::now()), ..ExecutionPatch::default() };
    store.transition_execution(execution.id, &[ExecutionStatus::Requested], status, &patch).await.unwrap().unwrap()
}

/// Collects `kind` batch by batch (`batch` rows at most each) until none is due; returns
/// the rows deleted by each statement.
async fn collect_all(store: &TestStore, kind: Collectable, due: Due, batch: u32) -> Vec<u64> {
    let mut batches = Vec::new();
    loop {
        let done = store.collect(kind, due, batch).await.unwrap();
        batches.push(done);
        if done < u64::from(batch) {
            return batches;
        }
    }
}

async fn ended_executions_and_their_output_are_collected_unless_still_in_use(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let done = ended(store, ExecutionStatus::Completed, None).await;
    let failed = ended(store, ExecutionStatus::Failed, None).await;
    let running = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    // A workflow still running, and an ended task of it: kept while the workflow runs.
    let workflow = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let task = ended(store, ExecutionStatus::Completed, Some(workflow.id)).await;
    for execution in [&done, &running] {
        let lines = vec![("stdout".to_owned(), "a line".to_owned()), ("stderr".to_owned(), "another".to_owned())];
        store.append_output(execution.id, &lines).await.unwrap();
    }

    assert_eq!(store.collect(Collectable::Output, Due::default(), 10).await.unwrap(), 0, "nothing due: nothing");
    assert_eq!(collect_all(store, Collectable::Output, everything(), 10).await, [2]);
    assert!(store.list_output(done.id, 0, 10).await.unwrap().is_empty());
    assert_eq!(store.list_output(running.id, 0, 10).await.unwrap().len(), 2, "a running execution's output stays");

    assert_eq!(collect_all(store, Collectable::Executions, everything(), 1).await, [1, 1, 0]);
    assert_not_found(store.get_execution(done.id).await);
    assert_not_found(store.get_execution(failed.id).await);
    for kept in [&running, &workflow, &task] {
        store.get_execution(kept.id).await.unwrap();
    }
    // Once the workflow has ended, it and its task are due too.
    let patch = ExecutionPatch { finished: Some(chrono::Utc::now()), ..ExecutionPatch::default() };
    store
        .transition_execution(workflow.id, &[ExecutionStatus::Requested], ExecutionStatus::Completed, &patch)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(collect_all(store, Collectable::Executions, everything(), 10).await, [2]);
    assert_not_found(store.get_execution(task.id).await);
    store.get_execution(running.id).await.unwrap();
}

async fn the_newest_are_kept_by_count_and_the_rest_by_age(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut executions = Vec::new();
    for _ in 0..5 {
        executions.push(ended(store, ExecutionStatus::Completed, None).await);
    }
    let running = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let keep_three = Due { before: None, keep: Some(3) };
    assert_eq!(collect_all(store, Collectable::Executions, keep_three, 10).await, [2]);
    for (n, execution) in executions.iter().enumerate() {
        let found = store.get_execution(execution.id).await.is_ok();
        assert_eq!(found, n >= 2, "the 3 newest ended executions stay, the 2 oldest go");
    }
    store.get_execution(running.id).await.unwrap();

    // By age: only what ended before the cut.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cut = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let later = ended(store, ExecutionStatus::Completed, None).await;
    let by_age = Due { before: Some(cut), keep: None };
    assert_eq!(collect_all(store, Collectable::Executions, by_age, 10).await, [3]);
    store.get_execution(later.id).await.unwrap();
    assert_eq!(collect_all(store, Collectable::Executions, Due { before: None, keep: Some(1) }, 10).await, [0]);
}

async fn events_enforcements_and_audit_entries_are_collected_once_done_with(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let processed = store.create_event(&new_event("sample.tick", None)).await.unwrap();
    store.mark_event_processed(processed.id).await.unwrap();
    let waiting = store.create_event(&new_event("sample.tick", None)).await.unwrap();
    let handled = store.create_enforcement(&new_enforcement("sample.on_tick", "sample.tick", Some(processed.id))).await;
    let handled = handled.unwrap();
    store.update_enforcement(handled.id, EnforcementStatus::Processed, None).await.unwrap();
    let fresh = store.create_enforcement(&new_enforcement("sample.on_tick", "sample.tick", None)).await.unwrap();
    let entry = NewAuditEntry {
        action: "key.decrypt".into(),
        resource_type: "key".into(),
        outcome: "ok".into(),
        ..NewAuditEntry::default()
    };
    store.append_audit(&entry).await.unwrap();

    assert_eq!(collect_all(store, Collectable::Enforcements, everything(), 10).await, [1]);
    assert_not_found(store.get_enforcement(handled.id).await);
    store.get_enforcement(fresh.id).await.unwrap();
    assert_eq!(collect_all(store, Collectable::Events, everything(), 10).await, [1]);
    assert_not_found(store.get_event(processed.id).await);
    store.get_event(waiting.id).await.unwrap();
    assert_eq!(collect_all(store, Collectable::Audit, everything(), 10).await, [1]);
    assert_eq!(store.list_audit(&Default::default(), all()).await.unwrap().total, 0);
    assert_eq!(collect_all(store, Collectable::Artifacts, everything(), 10).await, [0]);
}
