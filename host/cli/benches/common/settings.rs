//! The benchmarks' knobs, from `ATTUNE_BENCH_*` environment variables (defaults in each
//! benchmark's documentation).

use std::time::Duration;

use super::deployment::Mode;

/// What to measure and how hard.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Pieces of work (executions, webhook posts) per throughput run.
    pub count: usize,
    /// Client tasks sending them.
    pub concurrency: usize,
    /// Pieces of work run first and not measured: the WebAssembly component is compiled
    /// (and cached) by each worker on its first run, connections are opened, caches are warm.
    pub warm_up: usize,
    /// Pieces of work per latency run.
    pub latency_samples: usize,
    /// Pieces of work in flight during a latency run.
    pub in_flight: usize,
    /// How often those in flight are polled.
    pub poll: Duration,
    /// Deployments to measure, in order (`ATTUNE_BENCH_MODES`).
    pub modes: Vec<Mode>,
    /// `RUST_LOG` of the processes started (`ATTUNE_BENCH_LOG`).
    pub log: String,
}

impl Settings {
    /// Reads the knobs; the throughput run's size comes from `count_var`. A value that does
    /// not parse stops the benchmark with its name.
    pub fn from_env(count_var: &str, default_modes: &str) -> Settings {
        let modes = std::env::var("ATTUNE_BENCH_MODES")
            .unwrap_or_else(|_| default_modes.into())
            .split(',')
            .map(|mode| match mode.trim() {
                "embedded" => Mode::Embedded,
                "distributed" => Mode::Distributed,
                other => panic!("ATTUNE_BENCH_MODES: unknown mode '{other}' (embedded, distributed)"),
            })
            .collect();
        Settings {
            count: number(count_var, 2000),
            concurrency: number("ATTUNE_BENCH_CONCURRENCY", 8),
            warm_up: number("ATTUNE_BENCH_WARM_UP", 20),
            latency_samples: number("ATTUNE_BENCH_LATENCY_SAMPLES", 500),
            in_flight: number("ATTUNE_BENCH_IN_FLIGHT", 2),
            poll: Duration::from_millis(number("ATTUNE_BENCH_POLL_MS", 2) as u64),
            modes,
            log: std::env::var("ATTUNE_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        }
    }

    /// One line saying what a run does; `what` names the pieces of work.
    pub fn describe(&self, what: &str) -> String {
        format!(
            "throughput over {} {what} sent by {} client tasks; latency over {} {what}, {} in flight, polled every {} ms",
            self.count,
            self.concurrency,
            self.latency_samples,
            self.in_flight,
            self.poll.as_millis()
        )
    }
}

/// A positive whole number from `name`, or `default` when it is not set.
pub fn number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Err(_) => default,
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(value) if value > 0 => value,
            _ => panic!("{name}: '{text}' is not a positive whole number"),
        },
    }
}
