//! Races: many callers released at once against one row. Conditional updates let exactly
//! one of them win; appends from many writers keep one gapless sequence.

use std::sync::Arc;

use attune_domain::Id;
use attune_domain::execution::ExecutionPatch;
use attune_domain::status::{ExecutionStatus, InquiryStatus};
use futures::future::join_all;
use serde_json::json;
use tokio::sync::Barrier;

use crate::support::*;

conformance_tests!(
    exactly_one_of_many_claimers_wins_an_execution,
    exactly_one_of_many_responders_answers_an_inquiry,
    concurrent_output_appends_keep_a_gapless_sequence,
);

/// Callers racing in each round.
const RACERS: usize = 12;
/// Races per test: one lucky interleaving must not hide a lost update.
const ROUNDS: usize = 5;

async fn exactly_one_of_many_claimers_wins_an_execution(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let mut workers = Vec::new();
    for n in 0..RACERS {
        workers.push(store.register_worker(&new_worker(&format!("worker-{n}"))).await.unwrap().id);
    }
    for round in 0..ROUNDS {
        let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap().id;
        let start = Arc::new(Barrier::new(RACERS));
        let claims = workers.iter().map(|&worker| {
            let (store, start) = (store.shared(), Arc::clone(&start));
            tokio::spawn(async move {
                let patch = ExecutionPatch { worker: Some(worker), ..ExecutionPatch::default() };
                start.wait().await;
                let claimed = store
                    .transition_execution(execution, &[ExecutionStatus::Requested], ExecutionStatus::Scheduling, &patch)
                    .await
                    .expect("a claim either wins or loses; it never fails");
                claimed.map(|_| worker)
            })
        });
        let winners: Vec<Id> = join_all(claims).await.into_iter().filter_map(|claim| claim.unwrap()).collect();
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");

        let claimed = store.get_execution(execution).await.unwrap();
        assert_eq!(claimed.status, ExecutionStatus::Scheduling);
        assert_eq!(claimed.worker, Some(winners[0]), "round {round}: only the winner's patch is applied");
    }
}

async fn exactly_one_of_many_responders_answers_an_inquiry(store: &TestStore) {
    for round in 0..ROUNDS {
        let inquiry = store.create_inquiry(&new_inquiry(None)).await.unwrap().id;
        let start = Arc::new(Barrier::new(RACERS));
        // One racer times the inquiry out; the others answer it.
        let racers = (0..RACERS).map(|n| {
            let (store, start) = (store.shared(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                let outcome = if n == 0 {
                    store.close_inquiry(inquiry, InquiryStatus::Timeout).await
                } else {
                    store.respond_inquiry(inquiry, &json!({"responder": n}), "ada").await
                };
                outcome.expect("an answer either lands or comes too late; it never fails").map(|_| n)
            })
        });
        let winners: Vec<usize> = join_all(racers).await.into_iter().filter_map(|racer| racer.unwrap()).collect();
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");

        let answered = store.get_inquiry(inquiry).await.unwrap();
        if winners[0] == 0 {
            assert_eq!((answered.status, answered.response), (InquiryStatus::Timeout, None));
        } else {
            assert_eq!(answered.status, InquiryStatus::Responded);
            assert_eq!(answered.response, Some(json!({"responder": winners[0]})), "round {round}");
        }
    }
}

async fn concurrent_output_appends_keep_a_gapless_sequence(store: &TestStore) {
    const BATCHES: usize = 4;
    const LINES: usize = 10;
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap().id;
    let start = Arc::new(Barrier::new(RACERS));
    let writers = (0..RACERS).map(|writer| {
        let (store, start) = (store.shared(), Arc::clone(&start));
        tokio::spawn(async move {
            start.wait().await;
            for batch in 0..BATCHES {
                let lines: Vec<(String, String)> =
                    (0..LINES).map(|line| ("stdout".to_owned(), format!("{writer} {batch} {line}"))).collect();
                store.append_output(execution, &lines).await.expect("every append is stored");
            }
        })
    });
    for writer in join_all(writers).await {
        writer.unwrap();
    }

    let output = store.list_output(execution, 0, 10_000).await.unwrap();
    let seqs: Vec<i64> = output.iter().map(|line| line.seq).collect();
    let expected: Vec<i64> = (1..=(RACERS * BATCHES * LINES) as i64).collect();
    assert_eq!(seqs, expected);
    // Each writer's lines keep the order it wrote them in.
    for writer in 0..RACERS {
        let own: Vec<&str> = output
            .iter()
            .map(|line| line.text.as_str())
            .filter(|text| text.split(' ').next() == Some(writer.to_string().as_str()))
            .collect();
        let written: Vec<String> =
            (0..BATCHES).flat_map(|batch| (0..LINES).map(move |line| format!("{writer} {batch} {line}"))).collect();
        assert_eq!(own, written);
    }
}
