//! WASM sensors: polled through the WebAssembly runtime, their events recorded.
//!
//! [`WasmRuntime::spawn_sensor`] runs the schedule (a poll now, then every
//! `poll_interval`) and reports each poll; this module turns a report into events and a
//! status. The runtime is asked to accept any trigger so that one misdeclared event is
//! dropped (and said so in the status) rather than failing the whole poll with the good
//! events in it. A status is written only when it changes, not at every poll.

use std::sync::Arc;
use std::time::Duration;

use attune_domain::status::SensorStatus;
use attune_runtime_api::{ExecutionIo, OutputLine, OutputSink, RequestedLimits};
use attune_runtime_wasm::{PollReport, SensorSpec, WasmRuntime};
use attune_services::kv::PackKv;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::SensorConfig;
use crate::context::Context;
use crate::custom::CustomSensor;

/// Polls `unit` until `cancel` fires.
pub(crate) async fn run(
    ctx: Context,
    runtime: WasmRuntime,
    config: SensorConfig,
    unit: CustomSensor,
    cancel: CancellationToken,
) {
    let sensor_ref = unit.sensor_ref().to_owned();
    let entry_point = match unit.entry_point() {
        Ok(path) => path,
        Err(problem) => {
            ctx.status(&sensor_ref, SensorStatus::Failing, Some(problem)).await;
            return;
        }
    };
    let poll_interval = unit
        .sensor
        .poll_interval_s
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > 0)
        .map_or(config.default_poll_interval, Duration::from_secs);
    let spec = SensorSpec {
        sensor_ref: sensor_ref.clone(),
        pack_ref: unit.pack.r#ref.clone(),
        entry_point,
        // Any trigger: misdeclared events are dropped one by one below.
        trigger_types: Vec::new(),
        config: unit.sensor.config.clone(),
        pack_config: unit.pack.config.clone(),
        secrets: Default::default(),
        allowed_hosts: Vec::new(),
        limits: config.limits.resolve(&RequestedLimits::default()),
        kv: Arc::new(PackKv::new(ctx.store().clone(), unit.pack.id, unit.pack.r#ref.clone())),
        poll_interval,
    };
    let io = ExecutionIo { output: log_sink(&sensor_ref), cancel };
    let (reports_tx, mut reports) = mpsc::channel(4);
    let poller = runtime.spawn_sensor(spec, io, reports_tx);
    let mut last = None;
    while let Some(report) = reports.recv().await {
        let now = handle(&ctx, &unit, report, poll_interval).await;
        if last.as_ref() != Some(&now) {
            ctx.status(&sensor_ref, now.0, now.1.clone()).await;
            last = Some(now);
        }
    }
    if let Err(error) = poller.await {
        tracing::error!(sensor = %sensor_ref, %error, "a sensor poller panicked");
    }
}

/// Records the events of one poll; returns the sensor's status after it.
async fn handle(
    ctx: &Context,
    unit: &CustomSensor,
    report: PollReport,
    poll_interval: Duration,
) -> (SensorStatus, Option<String>) {
    let events = match report.result {
        Ok(events) => events,
        Err(failure) => {
            let next = crate::config::seconds(poll_interval);
            return (
                SensorStatus::Failing,
                Some(format!("poll {} failed: {failure}; next poll in {next}", report.poll_count)),
            );
        }
    };
    let mut dropped = None;
    for event in events {
        match unit.event(&event.trigger_ref, event.payload) {
            Ok(event) => {
                ctx.emit(&event).await;
            }
            Err(problem) => {
                tracing::warn!(sensor = %unit.sensor_ref(), poll = report.poll_count, "{problem}");
                dropped = Some(problem);
            }
        }
    }
    (SensorStatus::Running, dropped)
}

/// The guest's stdout, stderr and log lines, as debug log lines of the service.
fn log_sink(sensor_ref: &str) -> Arc<dyn OutputSink> {
    let sensor_ref = sensor_ref.to_owned();
    Arc::new(move |line: OutputLine| {
        tracing::debug!(sensor = %sensor_ref, stream = ?line.stream, level = ?line.level, "{}", line.text);
    })
}
