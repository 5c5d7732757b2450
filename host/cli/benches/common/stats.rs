//! Latency samples and their percentiles, and the clocks they are read from.

use std::time::{Duration, SystemTime};

use serde_json::Value;
use sqlx::types::chrono::DateTime;

/// One piece of work's latency, and where it went.
#[derive(Debug, Clone)]
pub struct Sample {
    /// From just before the request to the poll that saw its execution ended.
    pub total: Duration,
    /// From just before the request to its answer.
    pub answered: Duration,
    /// The consecutive stages of `total`, in µs, from the stored timestamps (the benchmark
    /// names them).
    pub stages: Vec<i64>,
}

/// The samples of a latency run.
#[derive(Debug, Clone)]
pub struct Latency {
    samples: Vec<Sample>,
}

impl Latency {
    /// The run's samples; there must be at least one.
    pub fn new(samples: Vec<Sample>) -> Latency {
        assert!(!samples.is_empty(), "a latency run without samples");
        Latency { samples }
    }

    /// The `p`-th percentile (nearest rank) of the total latency.
    pub fn percentile(&self, p: f64) -> Duration {
        let mut totals: Vec<Duration> = self.samples.iter().map(|s| s.total).collect();
        totals.sort();
        totals[nearest_rank(p, totals.len())]
    }

    /// The median time to the answer of the request, in milliseconds.
    pub fn answered_median_ms(&self) -> f64 {
        let mut values: Vec<Duration> = self.samples.iter().map(|s| s.answered).collect();
        values.sort();
        ms(values[nearest_rank(50.0, values.len())])
    }

    /// The median of stage `index`, in milliseconds.
    pub fn stage_median_ms(&self, index: usize) -> f64 {
        let mut values: Vec<i64> = self.samples.iter().map(|s| s.stages[index]).collect();
        values.sort();
        values[nearest_rank(50.0, values.len())] as f64 / 1000.0
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }
}

fn nearest_rank(p: f64, len: usize) -> usize {
    ((p / 100.0 * len as f64).ceil() as usize).clamp(1, len) - 1
}

/// A duration in milliseconds.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A wall-clock time in µs since the epoch.
pub fn micros(time: SystemTime) -> i64 {
    time.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or_default()
}

/// A stored timestamp (RFC 3339) of an API object, in µs since the epoch. The processes
/// write them with the host's clock, as the client reads its own.
pub fn stored_micros(object: &Value, field: &str) -> i64 {
    let text = object[field].as_str().unwrap_or_else(|| panic!("no '{field}' in {object}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("'{field}' = '{text}': {e}")).timestamp_micros()
}

/// The stages of an ended execution after it was stored: stored → claimed by a worker
/// (`created` → `started`), claimed → finished, finished → seen by the client (at
/// `ended_wall`), in µs.
pub fn execution_stages(execution: &Value, ended_wall: i64) -> [i64; 3] {
    assert_eq!(execution["status"], "completed", "the execution did not complete: {execution}");
    let at = |field: &str| stored_micros(execution, field);
    let (created, started, finished) = (at("created"), at("started"), at("finished"));
    [started - created, finished - started, ended_wall - finished]
}

/// The machine's load average (1, 5, 15 minutes), to say how busy it was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
