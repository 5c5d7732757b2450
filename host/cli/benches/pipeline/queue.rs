//! Policies' cost: a full queue drained in FIFO order.
//!
//! Four long executions of `core.sleep` hold the four slots of a concurrency policy while
//! 1,000 short ones are requested behind them (by 8 client tasks), so that all 1,000 are `queued` when the slots
//! free. The drain is timed per half (the first 500 to complete, then the last 500): a
//! queue whose admissions grew dearer with its depth would drain its first half slower than
//! its second. The order they started in is compared with the order they queued in
//! (`GET /api/v1/actions/core.sleep/queue`): executions admitted together may swap places,
//! never by more than the policy's threshold.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::client::Api;

/// The policy's threshold.
const SLOTS: usize = 4;
/// How long the executions holding the slots run, while the queue fills.
const HOLD_S: u64 = 30;
/// Client tasks requesting the queued executions.
const CLIENTS: usize = 8;

/// What a drain showed.
pub struct Drain {
    /// Executions queued.
    pub queued: usize,
    /// Executions run in all (those queued and those that held the slots).
    pub executions: usize,
    /// Executions per second over the first half of the drain.
    pub first_half: f64,
    /// Executions per second over the second half.
    pub second_half: f64,
    /// The largest gap between an execution's place in the queue and its place in start
    /// order.
    pub worst_swap: usize,
}

/// Queues `count` executions behind a full concurrency policy and times their drain.
pub async fn drain(api: &Api, count: usize) -> Drain {
    let policy = json!({"ref": "core.bench_slots", "action": "core.sleep", "type": "concurrency", "threshold": SLOTS});
    api.post("/api/v1/policies", &policy, 201).await;
    let submit = |seconds: u64| async move {
        let body = json!({"parameters": {"seconds": seconds}});
        api.post("/api/v1/actions/core.sleep/execute", &body, 201).await["data"]["id"].as_i64().expect("an id")
    };
    let held_from = Instant::now();
    let mut holders = Vec::with_capacity(SLOTS);
    for _ in 0..SLOTS {
        holders.push(submit(HOLD_S).await);
    }
    // The holders hold the slots once they run: requested earlier, short ones could be
    // admitted before them and never queue.
    while api.count("action_ref=core.sleep&status=running").await < SLOTS as u64 {
        assert!(held_from.elapsed() < Duration::from_secs(HOLD_S / 2), "the slots' holders did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ids: Vec<i64> = futures::future::join_all((0..CLIENTS).map(|client| async move {
        let mut mine = Vec::new();
        for _ in (client..count).step_by(CLIENTS) {
            mine.push(submit(0).await);
        }
        mine
    }))
    .await
    .into_iter()
    .flatten()
    .collect();
    // Accepted requests reach the queue once the executors have looked at them.
    let queue = loop {
        let queue = api.get("/api/v1/actions/core.sleep/queue").await;
        if queue["data"]["depth"].as_u64() == Some(count as u64) {
            break queue;
        }
        if held_from.elapsed() >= Duration::from_secs(HOLD_S) {
            let mut statuses = Vec::new();
            for status in ["requested", "scheduling", "queued", "scheduled", "running", "completed", "failed"] {
                let count = api.count(&format!("action_ref=core.sleep&status={status}")).await;
                statuses.push(format!("{status} {count}"));
            }
            panic!("only {} queued while the slots were held: {}", queue["data"]["depth"], statuses.join(", "));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let queued: Vec<i64> = queue["data"]["waiting"]
        .as_array()
        .expect("a queue")
        .iter()
        .map(|w| w["execution"].as_i64().expect("an id"))
        .collect();
    assert_eq!(queued.len(), count, "every one is queued behind the held slots: {}", queue["data"]["depth"]);

    // The clock starts when the last slot is given back.
    for holder in &holders {
        while api.get(&format!("/api/v1/executions/{holder}")).await["data"]["status"] != "completed" {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let start = Instant::now();
    let completed = "action_ref=core.sleep&status=completed";
    let mut half = None;
    loop {
        let done = api.count(completed).await as usize - SLOTS;
        if done >= count / 2 && half.is_none() {
            half = Some(Instant::now());
        }
        if done >= count {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(600), "the queue has not drained");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let end = Instant::now();
    let half = half.expect("a half");
    let first_half = (count / 2) as f64 / (half - start).as_secs_f64();
    let second_half = (count - count / 2) as f64 / (end - half).as_secs_f64();

    let mut started = HashMap::new();
    for id in &ids {
        let execution = api.get(&format!("/api/v1/executions/{id}")).await;
        let at = chrono::DateTime::parse_from_rfc3339(execution["data"]["started"].as_str().expect("started"))
            .expect("a timestamp");
        started.insert(*id, at);
    }
    let mut by_start = queued.clone();
    by_start.sort_by_key(|id| started[id]);
    let worst_swap = by_start
        .iter()
        .enumerate()
        .map(|(place, id)| queued.iter().position(|q| q == id).expect("queued").abs_diff(place))
        .max()
        .unwrap_or(0);
    assert!(worst_swap < SLOTS, "executions started out of their turn by {worst_swap}");
    Drain { queued: count, executions: count + SLOTS, first_half, second_half, worst_swap }
}
