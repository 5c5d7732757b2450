//! Executions: created, read, listed with every filter, moved through their statuses by
//! conditional transitions, deleted.

use attune_domain::execution::{ExecutionFilter, ExecutionPatch, StaleQuery};
use attune_domain::status::ExecutionStatus::{self, *};
use serde_json::json;

use crate::support::*;

conformance_tests!(
    creates_a_requested_execution,
    executions_of_unknown_actions_or_parents_are_refused,
    transitions_only_from_the_expected_statuses,
    a_transition_keeps_the_fields_its_patch_leaves_out,
    transitions_of_missing_executions_are_not_found,
    lists_executions_newest_first_page_by_page,
    lists_executions_with_every_filter,
    deletes_an_execution,
    counts_executions_by_action_and_status_since_a_time,
    lists_stale_executions_oldest_first_by_status_age_and_worker,
    a_delayed_execution_is_listed_once_due,
);

async fn creates_a_requested_execution(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let mut declared = new_execution("sample.notify");
    declared.executor = Some(ada.id);
    declared.rule_ref = Some("sample.on_alert".into());
    declared.trigger_ref = Some("sample.alert".into());
    declared.attempt = 2;
    declared.trace_parent = Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into());

    let created = store.create_execution(&declared).await.unwrap();
    assert_eq!(created.status, Requested);
    assert_eq!(created.action, Some(store.get_action("sample.notify").await.unwrap().id));
    assert_eq!(created.action_ref, "sample.notify");
    assert_eq!((created.config.clone(), created.parameters.clone()), (declared.config, declared.parameters));
    assert_eq!((created.executor, created.parent, created.enforcement), (Some(ada.id), None, None));
    assert_eq!(created.rule_ref, declared.rule_ref);
    assert_eq!(created.trigger_ref, declared.trigger_ref);
    assert_eq!(created.trace_parent, declared.trace_parent);
    assert_eq!((created.attempt, created.worker), (2, None));
    assert_eq!((created.result.clone(), created.metering.clone()), (None, None));
    assert_eq!((created.started, created.finished), (None, None));
    assert_eq!(store.get_execution(created.id).await.unwrap(), created);
}

async fn executions_of_unknown_actions_or_parents_are_refused(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    assert_unknown_reference(store.create_execution(&new_execution("sample.missing")).await);
    let mut orphan = new_execution("sample.notify");
    orphan.parent = Some(i64::MAX);
    assert_unknown_reference(store.create_execution(&orphan).await);
    let mut unknown_executor = new_execution("sample.notify");
    unknown_executor.executor = Some(i64::MAX);
    assert_unknown_reference(store.create_execution(&unknown_executor).await);
    let listed = store.list_executions(&ExecutionFilter::default(), all()).await.unwrap();
    assert_eq!(listed.total, 0);
}

async fn transitions_only_from_the_expected_statuses(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let worker = store.register_worker(&new_worker("w1")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let none = ExecutionPatch::default();

    let claimed = store.transition_execution(execution.id, &[Requested], Scheduling, &none).await.unwrap();
    assert_eq!(claimed.map(|e| e.status), Some(Scheduling));
    // Already moved on: a replayed claim changes nothing.
    assert_eq!(store.transition_execution(execution.id, &[Requested], Scheduling, &none).await.unwrap(), None);
    assert_eq!(store.transition_execution(execution.id, &[], Failed, &none).await.unwrap(), None);
    assert_eq!(store.get_execution(execution.id).await.unwrap().status, Scheduling);

    let assign = ExecutionPatch { worker: Some(worker.id), ..ExecutionPatch::default() };
    let scheduled = store.transition_execution(execution.id, &[Requested, Scheduling], Scheduled, &assign).await;
    let scheduled = scheduled.unwrap().expect("scheduling moves to scheduled");
    assert_eq!((scheduled.status, scheduled.worker), (Scheduled, Some(worker.id)));
    assert!(scheduled.updated >= execution.updated);

    let path: [(&[ExecutionStatus], ExecutionStatus); 3] =
        [(&[Scheduled], Running), (&[Running], Canceling), (&[Running, Canceling], Cancelled)];
    for (from, to) in path {
        let moved = store.transition_execution(execution.id, from, to, &none).await.unwrap();
        assert_eq!(moved.map(|e| e.status), Some(to));
    }
    let terminal = [Requested, Scheduling, Scheduled, Running, Canceling];
    assert_eq!(store.transition_execution(execution.id, &terminal, Completed, &none).await.unwrap(), None);
    assert_eq!(store.get_execution(execution.id).await.unwrap().status, Cancelled);
}

async fn a_transition_keeps_the_fields_its_patch_leaves_out(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let worker = store.register_worker(&new_worker("w1")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.fetch")).await.unwrap();
    let started = now();
    let start = ExecutionPatch { worker: Some(worker.id), started: Some(started), ..ExecutionPatch::default() };
    store.transition_execution(execution.id, &[Requested], Running, &start).await.unwrap().unwrap();

    let finished = now();
    let finish = ExecutionPatch {
        result: Some(json!({"ok": true})),
        metering: Some(json!({"fuel_consumed": 1200, "peak_memory_bytes": 65536, "wall_ms": 3})),
        finished: Some(finished),
        ..ExecutionPatch::default()
    };
    let done = store.transition_execution(execution.id, &[Running], Completed, &finish).await.unwrap().unwrap();
    assert_eq!((done.worker, done.started, done.finished), (Some(worker.id), Some(started), Some(finished)));
    assert_eq!(done.result, finish.result);
    assert_eq!(done.metering, finish.metering);
    assert_eq!(done.attempt, 1);

    let retry = ExecutionPatch { attempt: Some(2), ..ExecutionPatch::default() };
    let requeued = store.transition_execution(execution.id, &[Completed], Requested, &retry).await.unwrap().unwrap();
    assert_eq!((requeued.attempt, requeued.result.clone()), (2, finish.result));
    assert_eq!(store.get_execution(execution.id).await.unwrap(), requeued);
}

async fn transitions_of_missing_executions_are_not_found(store: &TestStore) {
    let none = ExecutionPatch::default();
    assert_not_found(store.transition_execution(42, &[Requested], Scheduling, &none).await);
    assert_not_found(store.transition_execution(42, &[], Scheduling, &none).await);
}

async fn lists_executions_newest_first_page_by_page(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(store.create_execution(&new_execution("sample.notify")).await.unwrap().id);
    }
    created.reverse();
    let first = store.list_executions(&ExecutionFilter::default(), page(1, 2)).await.unwrap();
    assert_eq!((first.total, first.request), (5, page(1, 2)));
    assert_eq!(ids(&first.items, |e| e.id), created[..2]);
    let last = store.list_executions(&ExecutionFilter::default(), page(3, 2)).await.unwrap();
    assert_eq!(ids(&last.items, |e| e.id), created[4..]);
}

async fn lists_executions_with_every_filter(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let worker = store.register_worker(&new_worker("w1")).await.unwrap();
    let parent = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let mut child = new_execution("sample.notify");
    child.parent = Some(parent.id);
    let child = store.create_execution(&child).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    let enforcement =
        store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id))).await.unwrap();
    let mut by_rule = new_execution("sample.notify");
    by_rule.rule_ref = Some("sample.on_alert".into());
    by_rule.enforcement = Some(enforcement.id);
    let by_rule = store.create_execution(&by_rule).await.unwrap();
    let fetch = store.create_execution(&new_execution("sample.fetch")).await.unwrap();
    let assign = ExecutionPatch { worker: Some(worker.id), ..ExecutionPatch::default() };
    store.transition_execution(fetch.id, &[Requested], Running, &assign).await.unwrap().unwrap();
    store.transition_execution(child.id, &[Requested], Failed, &ExecutionPatch::default()).await.unwrap().unwrap();
    assert!(child.created < by_rule.created, "the `since` check needs distinct creation times");

    let list = async |filter: ExecutionFilter| {
        let page = store.list_executions(&filter, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        ids(&page.items, |e| e.id)
    };
    let statuses = ExecutionFilter { statuses: vec![Running, Failed], ..ExecutionFilter::default() };
    assert_eq!(list(statuses).await, [fetch.id, child.id]);
    let requested = ExecutionFilter { statuses: vec![Requested], ..ExecutionFilter::default() };
    assert_eq!(list(requested).await, [by_rule.id, parent.id]);
    let of_notify = ExecutionFilter { action_ref: Some("sample.notify".into()), ..ExecutionFilter::default() };
    assert_eq!(list(of_notify).await, [by_rule.id, child.id]);
    let children = ExecutionFilter { parent: Some(parent.id), ..ExecutionFilter::default() };
    assert_eq!(list(children).await, [child.id]);
    let of_rule = ExecutionFilter { rule_ref: Some("sample.on_alert".into()), ..ExecutionFilter::default() };
    assert_eq!(list(of_rule).await, [by_rule.id]);
    let since = ExecutionFilter { since: Some(by_rule.created), ..ExecutionFilter::default() };
    assert_eq!(list(since).await, [fetch.id, by_rule.id]);
    let on_worker = ExecutionFilter { worker: Some(worker.id), ..ExecutionFilter::default() };
    assert_eq!(list(on_worker).await, [fetch.id]);
    let of_enforcement = ExecutionFilter { enforcement: Some(enforcement.id), ..ExecutionFilter::default() };
    assert_eq!(list(of_enforcement).await, [by_rule.id]);
    let every_filter = ExecutionFilter {
        statuses: vec![Requested, Failed],
        action_ref: Some("sample.notify".into()),
        parent: Some(parent.id),
        rule_ref: None,
        since: Some(parent.created),
        worker: None,
        enforcement: None,
    };
    assert_eq!(list(every_filter).await, [child.id]);
    let nothing = ExecutionFilter { statuses: vec![Timeout], ..ExecutionFilter::default() };
    assert!(list(nothing).await.is_empty());
}

async fn deletes_an_execution(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let doomed = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let kept = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    store.delete_execution(doomed.id).await.unwrap();
    assert_not_found(store.get_execution(doomed.id).await);
    assert_not_found(store.delete_execution(doomed.id).await);
    let listed = store.list_executions(&ExecutionFilter::default(), all()).await.unwrap();
    assert_eq!(listed.items, [kept]);
}

async fn counts_executions_by_action_and_status_since_a_time(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let before = chrono::Utc::now() - chrono::TimeDelta::seconds(5);
    let mut ids = Vec::new();
    for action in ["sample.notify", "sample.notify", "sample.fetch"] {
        ids.push(store.create_execution(&new_execution(action)).await.unwrap().id);
    }
    store.transition_execution(ids[0], &[Requested], Scheduling, &ExecutionPatch::default()).await.unwrap().unwrap();

    let counts: Vec<(String, ExecutionStatus, i64)> =
        store.count_executions(before).await.unwrap().into_iter().map(|c| (c.action_ref, c.status, c.count)).collect();
    assert_eq!(
        counts,
        [
            ("sample.fetch".to_owned(), Requested, 1),
            ("sample.notify".to_owned(), Requested, 1),
            ("sample.notify".to_owned(), Scheduling, 1),
        ]
    );
    let later = chrono::Utc::now() + chrono::TimeDelta::seconds(5);
    assert!(store.count_executions(later).await.unwrap().is_empty(), "nothing created since");
}

async fn lists_stale_executions_oldest_first_by_status_age_and_worker(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(store.create_execution(&new_execution("sample.notify")).await.unwrap().id);
    }
    let soon = chrono::Utc::now() + chrono::TimeDelta::seconds(5);
    let query =
        |status, updated_before, worker_not_in, limit| StaleQuery { status, updated_before, worker_not_in, limit };
    let found =
        |executions: Vec<attune_domain::execution::Execution>| executions.iter().map(|e| e.id).collect::<Vec<_>>();

    let oldest = store.list_stale_executions(&query(Requested, Some(soon), None, 2)).await.unwrap();
    assert_eq!(found(oldest), ids[..2], "oldest first, bounded");
    let past = chrono::Utc::now() - chrono::TimeDelta::seconds(60);
    assert!(store.list_stale_executions(&query(Requested, Some(past), None, 10)).await.unwrap().is_empty());

    let one = store.register_worker(&new_worker("one")).await.unwrap().id;
    let two = store.register_worker(&new_worker("two")).await.unwrap().id;
    for (id, worker) in [(ids[0], one), (ids[1], two)] {
        store.transition_execution(id, &[Requested], Scheduling, &ExecutionPatch::default()).await.unwrap().unwrap();
        let patch = ExecutionPatch { worker: Some(worker), ..ExecutionPatch::default() };
        store.transition_execution(id, &[Scheduling], Scheduled, &patch).await.unwrap().unwrap();
    }
    let on_gone = |live: Vec<i64>| query(Scheduled, None, Some(live), 10);
    assert_eq!(found(store.list_stale_executions(&on_gone(vec![one])).await.unwrap()), [ids[1]]);
    assert_eq!(found(store.list_stale_executions(&on_gone(vec![])).await.unwrap()), ids[..2]);
    assert!(store.list_stale_executions(&on_gone(vec![one, two])).await.unwrap().is_empty());
    assert_eq!(found(store.list_stale_executions(&query(Requested, None, None, 10)).await.unwrap()), ids[2..]);
}

async fn a_delayed_execution_is_listed_once_due(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let now = chrono::Utc::now();
    let mut later = new_execution("sample.notify");
    later.run_after = Some(now + chrono::TimeDelta::seconds(60));
    let later = store.create_execution(&later).await.unwrap();
    assert_eq!(later.status, Delayed);
    assert!(later.run_after.is_some());
    let mut soon = new_execution("sample.notify");
    soon.run_after = Some(now + chrono::TimeDelta::seconds(10));
    let soon = store.create_execution(&soon).await.unwrap();
    store.create_execution(&new_execution("sample.notify")).await.unwrap();

    assert!(store.list_due_executions(now, 10).await.unwrap().is_empty(), "not due yet");
    let due: Vec<i64> = store
        .list_due_executions(now + chrono::TimeDelta::seconds(120), 10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(due, [soon.id, later.id], "soonest first, delayed ones only");
    assert_eq!(store.list_due_executions(now + chrono::TimeDelta::seconds(30), 10).await.unwrap().len(), 1);
}
