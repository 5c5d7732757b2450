//! Every series Attune exports, recorded by one function each, so that names and labels
//! are written once. Durations are in seconds, sizes in bytes (Prometheus conventions).
//!
//! Counters count what this process did; in a distributed deployment each role exports its
//! own share and `sum()` across processes gives the whole (e.g. executions reaching
//! `running` are counted by the worker that started them). Gauges read from the store
//! (workers alive, policy queues) and from the bus (queue depths) are exported by the API
//! only, so summing them across roles never counts one twice.

use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};

/// Executions reaching a status: `status`, `action`, `runtime`.
pub const EXECUTIONS: &str = "attune_executions_total";
/// From creation to start, per runtime.
pub const QUEUE_WAIT: &str = "attune_execution_queue_wait_seconds";
/// From start to end, per action, runtime and terminal status.
pub const DURATION: &str = "attune_execution_duration_seconds";
/// Fuel a WASM execution consumed, per action.
pub const WASM_FUEL: &str = "attune_wasm_fuel_consumed";
/// Largest linear memory of a WASM execution, per action.
pub const WASM_MEMORY: &str = "attune_wasm_memory_peak_bytes";
/// Events recorded, per trigger.
pub const EVENTS: &str = "attune_events_total";
/// Enforcements recorded, per rule.
pub const ENFORCEMENTS: &str = "attune_enforcements_total";
/// Messages published on the bus, per queue kind and outcome.
pub const BUS_PUBLISHED: &str = "attune_bus_published_total";
/// Messages delivered to this process's consumers, per queue kind.
pub const BUS_CONSUMED: &str = "attune_bus_consumed_total";
/// Messages waiting on the bus, per queue kind (read from the bus by the API).
pub const BUS_DEPTH: &str = "attune_bus_queue_depth";
/// Store writes, from asking until committed, per backend.
pub const STORE_WRITE: &str = "attune_store_write_duration_seconds";
/// Store round trips of the health probe, per backend.
pub const STORE_PING: &str = "attune_store_ping_duration_seconds";
/// HTTP requests answered, per method, route template and status.
pub const HTTP_REQUESTS: &str = "attune_http_requests_total";
/// HTTP request durations, per method, route template and status.
pub const HTTP_DURATION: &str = "attune_http_request_duration_seconds";
/// Workers whose heartbeat is current, per runtime they run.
pub const WORKERS_ALIVE: &str = "attune_workers_alive";
/// Executions waiting in a policy's queue, per policy.
pub const POLICY_QUEUE: &str = "attune_policy_queue_depth";
/// Rows the retention collector deleted, per kind.
pub const RETENTION_DELETED: &str = "attune_retention_deleted_total";

/// Upper bounds of the duration histograms, in seconds: a millisecond to five minutes.
pub(crate) const SECONDS_BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];
/// Upper bounds of the fuel histogram: a thousand to ten billion units.
pub(crate) const FUEL_BUCKETS: &[f64] = &[1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
/// Upper bounds of the memory histogram: 64 KiB to 4 GiB.
pub(crate) const BYTES_BUCKETS: &[f64] =
    &[65_536.0, 1_048_576.0, 4_194_304.0, 16_777_216.0, 67_108_864.0, 268_435_456.0, 1_073_741_824.0, 4_294_967_296.0];

/// Gives every series its help text (shown by `# HELP`).
pub(crate) fn describe() {
    describe_counter!(EXECUTIONS, "Executions reaching a status, by status, action and runtime.");
    describe_histogram!(QUEUE_WAIT, Unit::Seconds, "Time from an execution's creation to its start.");
    describe_histogram!(DURATION, Unit::Seconds, "Time from an execution's start to its end.");
    describe_histogram!(WASM_FUEL, "Fuel consumed by a WASM execution.");
    describe_histogram!(WASM_MEMORY, Unit::Bytes, "Largest linear memory of a WASM execution.");
    describe_counter!(EVENTS, "Events recorded, by trigger.");
    describe_counter!(ENFORCEMENTS, "Enforcements recorded, by rule.");
    describe_counter!(BUS_PUBLISHED, "Messages published on the bus, by queue kind and outcome.");
    describe_counter!(BUS_CONSUMED, "Messages delivered to this process, by queue kind.");
    describe_gauge!(BUS_DEPTH, "Messages waiting on the bus, by queue kind.");
    describe_histogram!(STORE_WRITE, Unit::Seconds, "Store writes, from asking until committed.");
    describe_histogram!(STORE_PING, Unit::Seconds, "Store round trips of the readiness probe.");
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route and status.");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request durations, by method, route and status.");
    describe_gauge!(WORKERS_ALIVE, "Workers whose heartbeat is current, by runtime.");
    describe_gauge!(POLICY_QUEUE, "Executions waiting in a policy's queue.");
    describe_counter!(RETENTION_DELETED, "Rows the retention collector deleted, by kind.");
}

/// An execution reached `status`.
pub fn execution_status(status: &str, action: &str, runtime: &str) {
    counter!(EXECUTIONS, "status" => status.to_owned(), "action" => action.to_owned(), "runtime" => runtime.to_owned())
        .increment(1);
}

/// An execution started `seconds` after it was created.
pub fn execution_started(runtime: &str, seconds: f64) {
    histogram!(QUEUE_WAIT, "runtime" => runtime.to_owned()).record(seconds);
}

/// An execution that ran for `seconds` ended in `status`.
pub fn execution_ended(action: &str, runtime: &str, status: &str, seconds: f64) {
    histogram!(DURATION, "action" => action.to_owned(), "runtime" => runtime.to_owned(), "status" => status.to_owned())
        .record(seconds);
}

/// What a WASM execution of `action` used.
pub fn wasm_usage(action: &str, fuel: u64, peak_memory_bytes: u64) {
    histogram!(WASM_FUEL, "action" => action.to_owned()).record(fuel as f64);
    histogram!(WASM_MEMORY, "action" => action.to_owned()).record(peak_memory_bytes as f64);
}

/// An event of `trigger` was recorded.
pub fn event_created(trigger: &str) {
    counter!(EVENTS, "trigger" => trigger.to_owned()).increment(1);
}

/// An enforcement of `rule` was recorded.
pub fn enforcement_created(rule: &str) {
    counter!(ENFORCEMENTS, "rule" => rule.to_owned()).increment(1);
}

/// A message was published on a queue of `kind` (`executor`, `worker`, `events`).
pub fn bus_published(kind: &'static str, ok: bool) {
    counter!(BUS_PUBLISHED, "queue" => kind, "outcome" => if ok { "ok" } else { "failed" }).increment(1);
}

/// A message of a queue of `kind` was delivered to this process.
pub fn bus_consumed(kind: &'static str) {
    counter!(BUS_CONSUMED, "queue" => kind).increment(1);
}

/// `depth` messages wait on the queues of `kind`.
pub fn bus_depth(kind: &'static str, depth: u64) {
    gauge!(BUS_DEPTH, "queue" => kind).set(depth as f64);
}

/// A store write took `seconds` until committed.
pub fn store_write(backend: &'static str, seconds: f64) {
    histogram!(STORE_WRITE, "backend" => backend).record(seconds);
}

/// The readiness probe's store round trip took `seconds`.
pub fn store_ping(backend: &'static str, seconds: f64) {
    histogram!(STORE_PING, "backend" => backend).record(seconds);
}

/// An HTTP request to `route` (a template such as `/api/v1/executions/:id`) was answered.
pub fn http_request(method: &str, route: &str, status: u16, seconds: f64) {
    let labels = [("method", method.to_owned()), ("route", route.to_owned()), ("status", status.to_string())];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(seconds);
}

/// `count` workers running `runtime` are alive.
pub fn workers_alive(runtime: &str, count: usize) {
    gauge!(WORKERS_ALIVE, "runtime" => runtime.to_owned()).set(count as f64);
}

/// The retention collector deleted `rows` of `kind`.
pub fn retention_deleted(kind: &'static str, rows: u64) {
    counter!(RETENTION_DELETED, "kind" => kind).increment(rows);
}

/// `depth` executions wait in `policy`'s queue.
pub fn policy_queue(policy: &str, depth: u64) {
    gauge!(POLICY_QUEUE, "policy" => policy.to_owned()).set(depth as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIES: &[&str] = &[
        EXECUTIONS,
        QUEUE_WAIT,
        DURATION,
        WASM_FUEL,
        WASM_MEMORY,
        EVENTS,
        ENFORCEMENTS,
        BUS_PUBLISHED,
        BUS_CONSUMED,
        BUS_DEPTH,
        STORE_WRITE,
        STORE_PING,
        HTTP_REQUESTS,
        HTTP_DURATION,
        WORKERS_ALIVE,
        POLICY_QUEUE,
        RETENTION_DELETED,
    ];

    /// Every `attune_*` name in `text`, a histogram's `_bucket`, `_sum` and `_count` series
    /// named by the histogram.
    fn names(text: &str) -> std::collections::BTreeSet<String> {
        let mut found = std::collections::BTreeSet::new();
        for (start, _) in text.match_indices("attune_") {
            let name: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            let name = ["_bucket", "_sum", "_count"].iter().fold(name, |n, suffix| {
                n.strip_suffix(suffix).filter(|base| SERIES.contains(base)).map_or(n.clone(), str::to_owned)
            });
            found.insert(name);
        }
        found
    }

    #[test]
    fn the_operations_guide_lists_every_series_and_its_dashboard_and_alerts_use_only_those() {
        let guide = include_str!("../../../docs/operations.md");
        let section = &guide[guide.find("## Metrics").unwrap()..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
        let mentioned = names(section);
        for series in SERIES {
            assert!(mentioned.contains(*series), "docs/operations.md does not list {series}");
        }
        let unknown: Vec<_> = mentioned.iter().filter(|name| !SERIES.contains(&name.as_str())).collect();
        assert!(unknown.is_empty(), "docs/operations.md names series nobody records: {unknown:?}");
        let dashboard = &section[section.find("```json\n").unwrap() + 8..];
        let dashboard: serde_json::Value = serde_json::from_str(&dashboard[..dashboard.find("```").unwrap()])
            .expect("the Grafana dashboard is valid JSON");
        assert!(dashboard["panels"].as_array().is_some_and(|panels| panels.len() >= 8));
    }
}
