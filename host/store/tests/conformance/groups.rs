//! Group commit: concurrent writes share transactions, yet each behaves as if it ran
//! alone — visible to every reader once answered, undone alone when it fails, and never
//! left uncommitted because the caller behind it went away.

use std::time::Duration;

use attune_domain::status::ExecutionStatus;
use attune_store::{EnforcementFilter, EventFilter};
use futures::future::join_all;

use crate::support::*;

conformance_tests!(
    every_write_of_a_crowd_is_visible_to_readers_once_answered,
    a_failing_write_is_undone_alone,
    writers_that_go_away_do_not_hold_up_the_others,
);

/// Writers released together.
const CROWD: usize = 200;

async fn every_write_of_a_crowd_is_visible_to_readers_once_answered(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let writers = (0..CROWD).map(|_| {
        let store = store.shared();
        tokio::spawn(async move {
            let event = store.create_event(&new_event("sample.alert", None)).await.unwrap();
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
