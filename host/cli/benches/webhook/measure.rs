//! The webhook and rule measured, and the two measurements: sustained events per second
//! and post-to-completion latency.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::types::chrono::DateTime;

use crate::common::client::Api;
use crate::common::drive::{self, BoxFuture, Ledger, Probe, Submit, Throughput};
use crate::common::stats::{Latency, Sample, execution_stages, stored_micros};

/// The webhook posted to.
pub const WEBHOOK: &str = "bench";
/// The rule that runs an action for each post.
pub const RULE: &str = "examples-wasm.bench_webhook";

/// Every terminal status of an execution.
const ENDED: &str = "completed,failed,timeout,cancelled,abandoned";

/// The stages of a post's latency, as named in the table.
pub const STAGES: [&str; 5] = ["event", "rule", "to worker", "run", "to client"];
/// What they are.
pub const LEGEND: &str = "post → event stored, event → execution stored (rule matched, enforcement), stored → \
                          claimed by a worker, claimed → finished, finished → seen by the client";

/// Registers the webhook and a rule on it whose criteria every post matches; the rule runs
/// the trivial WebAssembly action `examples-wasm.echo` with the event's id in its message
/// (`event <id>`), which is how the benchmark finds the execution of each post.
pub async fn set_up(api: &Api) {
    let webhook = json!({"name": WEBHOOK, "description": "webhook benchmark"});
    api.post("/api/v1/webhooks", &webhook, 201).await;
    let rule = json!({
        "ref": RULE,
        "trigger": "core.webhook",
        "trigger_parameters": {"name": WEBHOOK},
        "criteria": {"trigger.body.kind": {"type": "equals", "pattern": "bench"}},
        "action": "examples-wasm.echo",
        "parameters": {"message": "event {{ event.id }}"},
    });
    api.post("/api/v1/rules", &rule, 201).await;
}

/// The executions the rule started, for a [`Ledger`].
pub fn ledger() -> Ledger {
    Ledger::new(&format!("rule={RULE}&"))
}

/// Posts to the webhook (authenticated with the admin's token); returns the event's id.
fn poster(api: &Arc<Api>) -> Submit {
    let api = api.clone();
    let body = Arc::new(json!({"kind": "bench", "service": "api-gateway", "level": "error"}));
    Arc::new(move || -> BoxFuture<i64> {
        let (api, body) = (api.clone(), body.clone());
        Box::pin(async move {
            let accepted = api.post_accepted(&format!("/api/v1/webhooks/{WEBHOOK}"), &body, 202).await;
            accepted["data"]["event"].as_i64().expect("an event id")
        })
    })
}

/// Posts `events` events from `concurrency` client tasks as fast as the API accepts them,
/// until the execution of every post has completed.
pub async fn throughput(api: &Arc<Api>, events: usize, concurrency: usize, ledger: &mut Ledger) -> Throughput {
    drive::throughput(api, ledger, events, concurrency, &poster(api)).await
}

/// Posts `samples` events, `in_flight` at a time, each waited for until its execution has
/// ended. One request per poll lists the rule's executions that ended since the oldest post
/// in flight (a handful); each names its event in its parameters. Afterwards, the stored
/// timestamps of each event and execution split the latency into stages.
pub async fn latency(api: &Arc<Api>, samples: usize, in_flight: usize, poll: Duration, ledger: &mut Ledger) -> Latency {
    let ended = ledger.filter(ENDED);
    let probe: Probe = {
        let (api, ended) = (api.clone(), Arc::new(ended.clone()));
        Arc::new(move |waiting: Vec<(i64, i64)>| -> BoxFuture<Vec<i64>> {
            let (api, ended) = (api.clone(), ended.clone());
            Box::pin(async move {
                let oldest = waiting.iter().map(|(_, sent)| *sent).min().unwrap_or_default();
                let by_event = executions_since(&api, &ended, oldest).await;
                waiting.into_iter().map(|(event, _)| event).filter(|event| by_event.contains_key(event)).collect()
            })
        })
    };
    let started = crate::common::stats::micros(std::time::SystemTime::now());
    let taken = drive::latency(samples, in_flight, &poster(api), probe, poll).await;
    let by_event = executions_since(api, &ended, started).await;
    let mut measured = Vec::with_capacity(taken.len());
    for timing in taken {
        let execution = by_event.get(&timing.id).unwrap_or_else(|| panic!("no execution for event {}", timing.id));
        let event = api.get(&format!("/api/v1/events/{}", timing.id)).await["data"].take();
        let event_stored = stored_micros(&event, "created");
        let [dispatch, run, seen] = execution_stages(execution, timing.ended_wall);
        let stages = vec![
            event_stored - timing.sent_wall,
            stored_micros(execution, "created") - event_stored,
            dispatch,
            run,
            seen,
        ];
        measured.push(Sample { total: timing.total, answered: timing.answered, stages });
    }
    ledger.check(api, samples).await;
    Latency::new(measured)
}

/// The executions matching `filter` created since `since_wall` (µs since the epoch, less a
/// millisecond for the rounding of stored times), by the event named in their parameters.
async fn executions_since(api: &Api, filter: &str, since_wall: i64) -> HashMap<i64, Value> {
    let since = DateTime::from_timestamp_micros(since_wall - 1000).expect("a time").format("%Y-%m-%dT%H:%M:%S%.6fZ");
    let mut found = HashMap::new();
    for page in 1.. {
        let mut listed =
            api.get(&format!("/api/v1/executions?{filter}&since={since}&page_size=1000&page={page}")).await;
        let items = listed["data"].as_array_mut().map(std::mem::take).unwrap_or_default();
        let last = items.len() < 1000;
        for execution in items {
            let message =
                execution["parameters"]["message"].as_str().and_then(|m| m.strip_prefix("event ")?.parse().ok());
            found.insert(message.unwrap_or_else(|| panic!("an execution without an event id: {execution}")), execution);
        }
        if last {
            break;
        }
    }
    found
}
