//! The two measurements of one action: sustained throughput and per-execution latency.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::common::client::{Api, UNFINISHED};
use crate::common::drive::{self, BoxFuture, Ledger, Probe, Submit, Throughput};
use crate::common::stats::{Latency, Sample, execution_stages, stored_micros};

/// An action to run, with the parameters it needs (JSON text).
#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// `pack.action`.
    pub r#ref: &'static str,
    /// Its parameters as a JSON object.
    pub parameters: &'static str,
}

/// The stages of an execution's latency, as named in the table.
pub const STAGES: [&str; 4] = ["api", "to worker", "run", "to client"];
/// What they are.
pub const LEGEND: &str =
    "request → stored, stored → claimed by a worker, claimed → finished, finished → seen by the client";

/// Requests executions of `action` through `POST /api/v1/actions/{ref}/execute`.
fn submitter(api: &Arc<Api>, action: &Action) -> Submit {
    let parameters: Value = serde_json::from_str(action.parameters).expect("parameters are JSON");
    let body = Arc::new(json!({ "parameters": parameters }));
    let (api, path) = (api.clone(), Arc::new(format!("/api/v1/actions/{}/execute", action.r#ref)));
    Arc::new(move || -> BoxFuture<i64> {
        let (api, path, body) = (api.clone(), path.clone(), body.clone());
        Box::pin(async move {
            let created = api.post_accepted(&path, &body, 201).await;
            created["data"]["id"].as_i64().expect("an execution id")
        })
    })
}

/// Submits `executions` executions of `action` from `concurrency` client tasks as fast as
/// the API accepts them, until all have completed.
pub async fn throughput(
    api: &Arc<Api>,
    action: &Action,
    executions: usize,
    concurrency: usize,
    ledger: &mut Ledger,
) -> Throughput {
    drive::throughput(api, ledger, executions, concurrency, &submitter(api, action)).await
}

/// Runs `samples` executions of `action`, `in_flight` at a time, each polled until it has
/// ended: one request per poll lists every unfinished execution (at most one per slot, an
/// indexed lookup), and one registered before that request and missing from its answer
/// has ended. The stored timestamps of every execution are read afterwards.
pub async fn latency(
    api: &Arc<Api>,
    action: &Action,
    samples: usize,
    in_flight: usize,
    poll: std::time::Duration,
    ledger: &mut Ledger,
) -> Latency {
    let probe: Probe = {
        let (api, path) =
            (api.clone(), Arc::new(format!("/api/v1/executions?{}&page_size=1000", ledger.filter(UNFINISHED))));
        Arc::new(move |waiting: Vec<(i64, i64)>| -> BoxFuture<Vec<i64>> {
            let (api, path) = (api.clone(), path.clone());
            Box::pin(async move {
                let listed = api.get(&path).await;
                let unfinished: Vec<i64> =
                    listed["data"].as_array().expect("a list").iter().filter_map(|e| e["id"].as_i64()).collect();
                waiting.into_iter().map(|(id, _)| id).filter(|id| !unfinished.contains(id)).collect()
            })
        })
    };
    let taken = drive::latency(samples, in_flight, &submitter(api, action), probe, poll).await;
    let mut measured = Vec::with_capacity(taken.len());
    for timing in taken {
        let execution = api.get(&format!("/api/v1/executions/{}", timing.id)).await["data"].take();
        let [dispatch, run, seen] = execution_stages(&execution, timing.ended_wall);
        let stored = stored_micros(&execution, "created") - timing.sent_wall;
        measured.push(Sample {
            total: timing.total,
            answered: timing.answered,
            stages: vec![stored, dispatch, run, seen],
        });
    }
    ledger.check(api, samples).await;
    Latency::new(measured)
}
