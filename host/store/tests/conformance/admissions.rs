//! Admissions under policies: counted and decided in one transaction, FIFO per group,
//! refusals write nothing, and racing executors never admit more than the limit.

use std::sync::Arc;

use attune_domain::admission::{Admission, Check, Limit};
use attune_domain::execution::{Execution, ExecutionPatch};
use attune_domain::status::{ExecutionStatus, PolicyMethod};
use futures::future::join_all;
use tokio::sync::Barrier;

use crate::support::*;

conformance_tests!(
    admits_up_to_the_limit_and_queues_the_rest_in_arrival_order,
    a_newcomer_waits_behind_those_queued_before_it,
    groups_count_separately,
    a_cancel_policy_refuses_without_writing,
    a_rate_limit_says_when_its_window_has_room,
    only_scheduling_or_queued_executions_are_admitted,
    an_admission_is_kept_across_looks,
    an_action_queue_shows_positions,
    racing_executors_never_admit_more_than_the_limit,
);

fn concurrency(threshold: i64, group: &str) -> Check {
    Check {
        policy_ref: "sample.one_at_a_time".into(),
        group_key: group.into(),
        limit: Limit::Concurrent(threshold),
        method: PolicyMethod::Enqueue,
    }
}

/// A new execution of `sample.deploy`, taken by an executor (`scheduling`).
async fn scheduling(store: &TestStore) -> Execution {
    let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    move_to(store, &execution, ExecutionStatus::Requested, ExecutionStatus::Scheduling).await
}

async fn move_to(store: &TestStore, execution: &Execution, from: ExecutionStatus, to: ExecutionStatus) -> Execution {
    store.transition_execution(execution.id, &[from], to, &ExecutionPatch::default()).await.unwrap().unwrap()
}

/// Admits `id` from the status it is in now.
async fn admit(
    store: &dyn attune_store::Store,
    id: attune_domain::Id,
    checks: &[Check],
) -> attune_store::StoreResult<Admission> {
    let from = store.get_execution(id).await?.status;
    store.admit_execution(id, from, checks).await
}

fn position(admission: &Admission) -> Option<i64> {
    match admission {
        Admission::Queued { position, .. } => Some(*position),
        _ => None,
    }
}

async fn admits_up_to_the_limit_and_queues_the_rest_in_arrival_order(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let check = [concurrency(2, "")];
    let mut outcomes = Vec::new();
    let mut executions = Vec::new();
    for _ in 0..4 {
        let execution = scheduling(store).await;
        outcomes.push(admit(&**store, execution.id, &check).await.unwrap());
        executions.push(execution);
    }
    assert!(matches!(&outcomes[0], Admission::Admitted(e) if e.status == ExecutionStatus::Scheduling));
    assert!(matches!(&outcomes[1], Admission::Admitted(_)));
    assert_eq!((position(&outcomes[2]), position(&outcomes[3])), (Some(1), Some(2)));
    assert_eq!(store.get_execution(executions[3].id).await.unwrap().status, ExecutionStatus::Queued);
    let heads = store.queue_heads("sample.one_at_a_time", "", 10).await.unwrap();
    assert_eq!(heads, [executions[2].id, executions[3].id]);

    // Still full: the head stays queued. Once one ends, the head is admitted.
    assert_eq!(position(&admit(&**store, executions[2].id, &check).await.unwrap()), Some(1));
    let running = move_to(store, &executions[0], ExecutionStatus::Scheduling, ExecutionStatus::Cancelled).await;
    let groups = store.release_admissions(running.id).await.unwrap();
    assert_eq!(groups, [("sample.one_at_a_time".to_owned(), String::new())]);
    let admitted = admit(&**store, executions[2].id, &check).await.unwrap();
    assert!(matches!(&admitted, Admission::Admitted(e) if e.status == ExecutionStatus::Scheduling), "{admitted:?}");
    assert_eq!(store.queue_heads("sample.one_at_a_time", "", 10).await.unwrap(), [executions[3].id]);
    assert_eq!(position(&admit(&**store, executions[3].id, &check).await.unwrap()), Some(1));
}

async fn a_newcomer_waits_behind_those_queued_before_it(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let check = [concurrency(1, "")];
    let first = scheduling(store).await;
    let second = scheduling(store).await;
    assert!(matches!(admit(&**store, first.id, &check).await.unwrap(), Admission::Admitted(_)));
    assert_eq!(position(&admit(&**store, second.id, &check).await.unwrap()), Some(1));
    move_to(store, &first, ExecutionStatus::Scheduling, ExecutionStatus::Cancelled).await;

    // A slot is free, but the second arrived first: the newcomer queues behind it.
    let newcomer = scheduling(store).await;
    assert_eq!(position(&admit(&**store, newcomer.id, &check).await.unwrap()), Some(2));
    assert!(matches!(admit(&**store, second.id, &check).await.unwrap(), Admission::Admitted(_)));
}

async fn groups_count_separately(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let (web1, web2) = (scheduling(store).await, scheduling(store).await);
    let again = scheduling(store).await;
    assert!(matches!(
        admit(&**store, web1.id, &[concurrency(1, "[\"web-1\"]")]).await.unwrap(),
        Admission::Admitted(_)
    ));
    assert!(matches!(
        admit(&**store, web2.id, &[concurrency(1, "[\"web-2\"]")]).await.unwrap(),
        Admission::Admitted(_)
    ));
    assert_eq!(position(&admit(&**store, again.id, &[concurrency(1, "[\"web-1\"]")]).await.unwrap()), Some(1));
}

async fn a_cancel_policy_refuses_without_writing(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let check = [Check { method: PolicyMethod::Cancel, ..concurrency(1, "") }];
    let first = scheduling(store).await;
    let second = scheduling(store).await;
    assert!(matches!(admit(&**store, first.id, &check).await.unwrap(), Admission::Admitted(_)));
    let refused = admit(&**store, second.id, &check).await.unwrap();
    assert_eq!(refused, Admission::Refused { policy_ref: "sample.one_at_a_time".into(), limit: Limit::Concurrent(1) });
    assert_eq!(store.get_execution(second.id).await.unwrap().status, ExecutionStatus::Scheduling);
    assert!(store.release_admissions(second.id).await.unwrap().is_empty(), "nothing was recorded for it");
}

async fn a_rate_limit_says_when_its_window_has_room(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let check = [Check {
        policy_ref: "sample.twice_a_minute".into(),
        group_key: String::new(),
        limit: Limit::PerWindow { threshold: 2, window_s: 60 },
        method: PolicyMethod::Enqueue,
    }];
    let before = now();
    let mut admitted = Vec::new();
    for _ in 0..2 {
        let execution = scheduling(store).await;
        assert!(matches!(admit(&**store, execution.id, &check).await.unwrap(), Admission::Admitted(_)));
        admitted.push(execution);
    }
    // Ending does not give the window back.
    move_to(store, &admitted[0], ExecutionStatus::Scheduling, ExecutionStatus::Cancelled).await;
    store.release_admissions(admitted[0].id).await.unwrap();
    let third = scheduling(store).await;
    let Admission::Queued { position, retry_at: Some(retry_at), .. } = admit(&**store, third.id, &check).await.unwrap()
    else {
        panic!("the third in a minute waits for the window");
    };
    assert_eq!(position, 1);
    let after = now();
    let window = chrono::TimeDelta::seconds(60);
    assert!(retry_at >= before + window && retry_at <= after + window, "{retry_at} is a minute after the first");
}

async fn only_scheduling_or_queued_executions_are_admitted(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let requested = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    assert_eq!(admit(&**store, requested.id, &[concurrency(1, "")]).await.unwrap(), Admission::Moved);
    assert_not_found(store.admit_execution(i64::MAX, ExecutionStatus::Queued, &[concurrency(1, "")]).await);
    let taken = scheduling(store).await;
    let stale_view = store.admit_execution(taken.id, ExecutionStatus::Queued, &[concurrency(1, "")]).await.unwrap();
    assert_eq!(stale_view, Admission::Moved, "a caller that thought it queued changes nothing");
    assert_eq!(store.get_execution(taken.id).await.unwrap().status, ExecutionStatus::Scheduling);
}

async fn an_admission_is_kept_across_looks(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let check = [concurrency(1, "")];
    let first = scheduling(store).await;
    assert!(matches!(admit(&**store, first.id, &check).await.unwrap(), Admission::Admitted(_)));
    // No worker yet: back to requested, then taken again; it still holds its slot.
    let back = move_to(store, &first, ExecutionStatus::Scheduling, ExecutionStatus::Requested).await;
    move_to(store, &back, ExecutionStatus::Requested, ExecutionStatus::Scheduling).await;
    assert!(matches!(admit(&**store, first.id, &check).await.unwrap(), Admission::Admitted(_)));
    let other = scheduling(store).await;
    assert_eq!(position(&admit(&**store, other.id, &check).await.unwrap()), Some(1));
}

async fn an_action_queue_shows_positions(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut executions = Vec::new();
    for group in ["a", "a", "b", "a", "b"] {
        let execution = scheduling(store).await;
        admit(&**store, execution.id, &[concurrency(1, group)]).await.unwrap();
        executions.push(execution.id);
    }
    let queue = store.action_queue("sample.deploy").await.unwrap();
    assert_eq!((queue.running, queue.depth), (2, 3));
    let positions: Vec<(i64, &str, i64)> =
        queue.waiting.iter().map(|w| (w.execution, w.group.as_str(), w.position)).collect();
    assert_eq!(positions, [(executions[1], "a", 1), (executions[3], "a", 2), (executions[4], "b", 1)]);
    assert!(queue.waiting.iter().all(|w| w.policy_ref == "sample.one_at_a_time"));
}

async fn racing_executors_never_admit_more_than_the_limit(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    const RACERS: usize = 12;
    let mut executions = Vec::new();
    for _ in 0..RACERS {
        executions.push(scheduling(store).await.id);
    }
    let start = Arc::new(Barrier::new(RACERS));
    let racers = executions.iter().map(|&id| {
        let (store, start) = (store.shared(), Arc::clone(&start));
        tokio::spawn(async move {
            start.wait().await;
            admit(store.as_ref(), id, &[concurrency(3, "")]).await.expect("an admission never fails")
        })
    });
    let outcomes: Vec<Admission> = join_all(racers).await.into_iter().map(|outcome| outcome.unwrap()).collect();
    let admitted = outcomes.iter().filter(|o| matches!(o, Admission::Admitted(_))).count();
    let mut positions: Vec<i64> = outcomes.iter().filter_map(position).collect();
    positions.sort_unstable();
    assert_eq!(admitted, 3);
    assert_eq!(positions, (1..=(RACERS as i64 - 3)).collect::<Vec<_>>(), "one queue, no two in one place");
}
