//! The process-wide recorder: installed once (the `metrics` facade holds one global
//! recorder per process), then rendered at every scrape.
//!
//! Histograms have fixed buckets ([`crate::record`]), so that they aggregate across
//! processes and over time in Prometheus. A thread runs the exporter's upkeep every few
//! seconds, which keeps its internal buffers bounded between scrapes.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::record;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// How often the upkeep runs.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Installs the recorder on first use; every later call returns the same handle. Anything
/// recorded before the first call is lost, so roles call this first thing.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), record::SECONDS_BUCKETS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(record::WASM_FUEL.into()), record::FUEL_BUCKETS))
                .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_bytes".into()), record::BYTES_BUCKETS))
                .expect("the bucket lists are not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder was installed first; /metrics will stay empty");
            }
            record::describe();
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
            if let Err(error) = spawned {
                tracing::warn!(%error, "cannot start the metrics upkeep thread");
            }
            handle
        })
        .clone()
}

/// Everything recorded so far, in the Prometheus text format.
pub fn render() -> String {
    install().render()
}
