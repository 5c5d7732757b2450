//! Group commit: concurrent writes share transactions, yet each behaves as if it ran
//! alone — visible to every reader once answered, undone alone when it fails, and never
//! left uncommitted because the caller behind it went away.

use std::time::Duration;

use attune_domain::execution::ExecutionFilter;
use attune_domain::status::ExecutionStatus;
use attune_store::{EnforcementFilter, EventFilter};
use futures::future::join_all;

use crate::support::*;

conformance_tests!(
    every_write_of_a_crowd_is_visible_to_readers_once_answered,
    a_failing_write_is_undone_alone,
    writers_that_go_away_do_not_hold_up_the_others,
    a_crowd_of_status_changes_and_output_lines_behaves_as_if_made_one_at_a_time,
    a_crowd_of_processed_marks_each_lands_on_its_own_row,
    a_crowd_of_new_executions_and_enforcements_each_gets_its_own_row,
);

/// Writers released together.
const CROWD: usize = 200;

async fn every_write_of_a_crowd_is_visible_to_readers_once_answered(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let writers = (0..CROWD).map(|n| {
        let store = store.shared();
        tokio::spawn(async move {
            let mut new = new_event("sample.alert", None);
            new.payload = serde_json::json!({ "n": n });
            let event = store.create_event(&new).await.unwrap();
            assert_eq!(event.payload, new.payload, "each writer gets its own row back");
            // Read back through the readers' connections, as another caller would.
            assert_eq!(store.get_event(event.id).await.unwrap(), event);
            let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
            assert_eq!(store.get_execution_status(execution.id).await.unwrap(), ExecutionStatus::Requested);
            (event.id, execution.id)
        })
    });
    let written: Vec<(i64, i64)> = join_all(writers).await.into_iter().map(Result::unwrap).collect();
    let mut events: Vec<i64> = written.iter().map(|(event, _)| *event).collect();
    events.sort_unstable();
    events.dedup();
    assert_eq!(events.len(), CROWD, "each write its own row");
    assert_eq!(store.list_events(&EventFilter::default(), all()).await.unwrap().total, CROWD as u64);
}

async fn a_failing_write_is_undone_alone(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
    store.create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id))).await.unwrap();
    // Duplicates of that enforcement (refused by a unique index), missing rows and unknown
    // references, mixed with writes that succeed, all at once.
    let writers = (0..CROWD).map(|n| {
        let store = store.shared();
        tokio::spawn(async move {
            match n % 4 {
                0 => {
                    let duplicate = new_enforcement("sample.on_alert", "sample.alert", Some(event.id));
                    assert_conflict(store.create_enforcement(&duplicate).await);
                    false
                }
                1 => {
                    assert_not_found(store.append_output(i64::MAX, &[("stdout".into(), "lost".into())]).await);
                    false
                }
                2 => {
                    assert_unknown_reference(store.create_execution(&new_execution("sample.missing")).await);
                    false
                }
                _ => {
                    store.create_event(&new_event("sample.tick", None)).await.unwrap();
                    true
                }
            }
        })
    });
    let succeeded = join_all(writers).await.into_iter().map(Result::unwrap).filter(|ok| *ok).count();
    assert_eq!(succeeded, CROWD / 4);
    let of_tick = EventFilter { trigger_ref: Some("sample.tick".into()), ..EventFilter::default() };
    assert_eq!(store.list_events(&of_tick, all()).await.unwrap().total, (CROWD / 4) as u64);
    assert_eq!(store.list_enforcements(&EnforcementFilter::default(), all()).await.unwrap().total, 1);
}

async fn writers_that_go_away_do_not_hold_up_the_others(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    for round in 0..5 {
        // A crowd of writers, half of them cancelled at once: some while queued for the
        // turn, some in the middle of their write, some while waiting for the commit.
        let mut kept = Vec::new();
        for n in 0..CROWD {
            let store = store.shared();
            let writer = tokio::spawn(async move { store.create_event(&new_event("sample.alert", None)).await });
            if n % 2 == 0 {
                kept.push(writer);
            } else {
                tokio::task::yield_now().await;
                writer.abort();
            }
        }
        let answered = tokio::time::timeout(Duration::from_secs(20), join_all(kept))
            .await
            .unwrap_or_else(|_| panic!("round {round}: writers kept waiting for a commit"));
        for written in answered {
            let event = written.unwrap().unwrap();
            assert_eq!(store.get_event(event.id).await.unwrap().id, event.id);
        }
        // A write through the group and one that bypasses it both still go through.
        let tick = new_event("sample.tick", None);
        tokio::time::timeout(Duration::from_secs(20), store.create_event(&tick))
            .await
            .expect("a later write is not held up")
            .unwrap();
        let worker = new_worker(&format!("after-round-{round}"));
        tokio::time::timeout(Duration::from_secs(20), store.register_worker(&worker))
            .await
            .expect("a write outside the group is not held up")
            .unwrap();
    }
}

/// Status changes and output lines of many executions at once (made together by shared
/// statements where the store coalesces them): each change is still conditional, an
/// execution changed twice at once changes once per allowed move, and each execution's
/// lines are numbered 1, 2, 3... with every append's lines side by side; lines for a
/// missing execution are refused without harming the others.
async fn a_crowd_of_status_changes_and_output_lines_behaves_as_if_made_one_at_a_time(store: &TestStore) {
    use ExecutionStatus::*;
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..CROWD / 4 {
        ids.push(store.create_execution(&new_execution("sample.notify")).await.unwrap().id);
    }
    let mut moves = Vec::new();
    let mut appends = Vec::new();
    for &id in &ids {
        // Two racing moves out of `requested`, and three appends of two lines.
        for to in [Scheduling, Cancelled] {
            let store = store.shared();
            moves.push(tokio::spawn(async move {
                let moved = store.transition_execution(id, &[Requested], to, &Default::default()).await.unwrap();
                moved.map(|execution| execution.status)
            }));
        }
        for n in 0..3 {
            let store = store.shared();
            appends.push(tokio::spawn(async move {
                let lines: Vec<(String, String)> =
                    (0..2).map(|line| ("stdout".to_owned(), format!("append {n} line {line}"))).collect();
                store.append_output(id, &lines).await.unwrap()
            }));
        }
    }
    // Lines for an execution that does not exist, among the others: refused alone.
    let lost = (0..CROWD / 8).map(|_| {
        let store = store.shared();
        tokio::spawn(async move {
            assert_not_found(store.append_output(i64::MAX, &[("stdout".into(), "lost".into())]).await)
        })
    });
    join_all(lost).await.into_iter().for_each(Result::unwrap);
    let moved: Vec<Option<ExecutionStatus>> = join_all(moves).await.into_iter().map(Result::unwrap).collect();
    let firsts: Vec<i64> = join_all(appends).await.into_iter().map(Result::unwrap).collect();
    for ((id, of_one), firsts) in ids.iter().zip(moved.chunks(2)).zip(firsts.chunks(3)) {
        let won: Vec<_> = of_one.iter().flatten().collect();
        assert_eq!(won.len(), 1, "exactly one move out of requested wins: {of_one:?}");
        assert_eq!(store.get_execution(*id).await.unwrap().status, *won[0]);
        let mut firsts = firsts.to_vec();
        firsts.sort_unstable();
        assert_eq!(firsts, [1, 3, 5], "each append told where its lines start");
        let output = store.list_output(*id, 0, 100).await.unwrap();
        assert_eq!(output.iter().map(|line| line.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
        for pair in output.chunks(2) {
            let append = |text: &str| text.split(" line ").next().unwrap().to_owned();
            assert_eq!(append(&pair[0].text), append(&pair[1].text), "an append's lines side by side: {output:?}");
            assert!(pair[0].text.ends_with("line 0") && pair[1].text.ends_with("line 1"), "{output:?}");
        }
    }
    // A later change of each goes through as usual.
    for id in ids {
        let status = store.get_execution(id).await.unwrap().status;
        if status == Scheduling {
            let placed = store.transition_execution(id, &[Scheduling], Requested, &Default::default()).await;
            assert_eq!(placed.unwrap().unwrap().status, Requested);
        }
    }
}

/// The rules engine's marks at once (made by shared statements where the store coalesces
/// them): each event and enforcement gets its own, two statuses for one enforcement at
/// once both land (each answered with its own), and a mark of a missing row is refused
/// alone.
async fn a_crowd_of_processed_marks_each_lands_on_its_own_row(store: &TestStore) {
    use attune_domain::status::EnforcementStatus;
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut pairs = Vec::new();
    for _ in 0..CROWD / 4 {
        let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
        let enforcement = store
            .create_enforcement(&new_enforcement("sample.on_alert", "sample.alert", Some(event.id)))
            .await
            .unwrap();
        pairs.push((event.id, enforcement.id));
    }
    let marks = pairs.iter().map(|&(event, enforcement)| {
        let store = store.shared();
        tokio::spawn(async move {
            let reason = format!("reason of {enforcement}");
            let (marked, first, second) = tokio::join!(
                store.mark_event_processed(event),
                store.update_enforcement(enforcement, EnforcementStatus::Disabled, Some(&reason)),
                store.update_enforcement(enforcement, EnforcementStatus::Processed, Some(&reason)),
            );
            marked.unwrap();
            assert_eq!(first.unwrap().status, EnforcementStatus::Disabled);
            assert_eq!(second.unwrap().status, EnforcementStatus::Processed);
        })
    });
    let missing = {
        let store = store.shared();
        tokio::spawn(async move {
            assert_not_found(store.mark_event_processed(i64::MAX).await);
            assert_not_found(store.update_enforcement(i64::MAX, EnforcementStatus::Processed, None).await);
        })
    };
    join_all(marks.chain([missing])).await.into_iter().for_each(Result::unwrap);
    for (event, enforcement) in pairs {
        assert!(store.get_event(event).await.unwrap().processed.is_some());
        let enforcement = store.get_enforcement(enforcement).await.unwrap();
        assert!(matches!(enforcement.status, EnforcementStatus::Disabled | EnforcementStatus::Processed));
        assert_eq!(enforcement.reason.as_deref(), Some(format!("reason of {}", enforcement.id).as_str()));
    }
}

/// New executions and enforcements of many callers at once (inserted together by shared
/// statements where the store coalesces them): each caller gets its own row with what it
/// asked for, and a request naming a missing action is refused alone, undoing none of the
/// others.
async fn a_crowd_of_new_executions_and_enforcements_each_gets_its_own_row(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let writers = (0..CROWD).map(|n| {
        let store = store.shared();
        tokio::spawn(async move {
            if n % 10 == 3 {
                assert_unknown_reference(store.create_execution(&new_execution("sample.missing")).await);
                return false;
            }
            let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
            let mut request = new_execution("sample.notify");
            request.parameters = serde_json::json!({ "n": n });
            request.trace_parent = Some(format!("00-{:032x}-{:016x}-01", n + 1, n + 1));
            let mut enforcing = new_enforcement("sample.on_alert", "sample.alert", Some(event.id));
            enforcing.payload = serde_json::json!({ "n": n });
            let (execution, enforcement) =
                tokio::join!(store.create_execution(&request), store.create_enforcement(&enforcing));
            let (execution, enforcement) = (execution.unwrap(), enforcement.unwrap());
            assert_eq!(execution.parameters, request.parameters, "each caller gets its own execution");
            assert_eq!(execution.trace_parent, request.trace_parent);
            assert_eq!(execution.action_ref, "sample.notify");
            assert!(execution.action.is_some(), "the action's id is looked up");
            assert_eq!(execution.status, ExecutionStatus::Requested);
            assert_eq!(store.get_execution(execution.id).await.unwrap(), execution);
            assert_eq!((enforcement.event, &enforcement.payload), (Some(event.id), &enforcing.payload));
            assert!(enforcement.rule.is_some(), "the rule's id is looked up");
            true
        })
    });
    let made = join_all(writers).await.into_iter().map(Result::unwrap).filter(|made| *made).count();
    assert_eq!(made, CROWD - CROWD / 10);
    let executions = store.list_executions(&ExecutionFilter::default(), all()).await.unwrap();
    assert_eq!(executions.total, made as u64, "no row of a refused request, no row twice");
    let enforcements = store.list_enforcements(&EnforcementFilter::default(), all()).await.unwrap();
    assert_eq!(enforcements.total, made as u64);
}
