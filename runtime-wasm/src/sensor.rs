//! Running sensors: the host side of the `sensor` world.
//!
//! A sensor is polled on a schedule; each poll runs `poll` in a fresh sandbox with the same
//! limits as an action and reports the events it returned. State that must survive between
//! polls lives in the sensor's kv, not in the instance. [`WasmRuntime::spawn_sensor`] runs
//! the schedule and sends a [`PollReport`] per poll into a channel; the sensor service
//! turns reported events into stored events and decides what to do with failed polls.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use attune_runtime_api::{CapturedText, ExecutionIo, Failure, FailureKind, KvStore, Limits, Metering};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use wasmtime::Store;

use crate::action::{WasmRuntime, instantiation_failed};
use crate::bindings::sensor::SensorPre;
use crate::bindings::types;
use crate::build::World;
use crate::components::Prepared;
use crate::host::{Grants, HostState};
use crate::sandbox::{self, GuestCall};

/// One sensor instance as the sensor service configures it.
#[derive(Clone)]
pub struct SensorSpec {
    /// The sensor's ref, `pack.name`.
    pub sensor_ref: String,
    /// The ref of its pack.
    pub pack_ref: String,
    /// The component (`.wasm`, `.wat` or `.py`).
    pub entry_point: PathBuf,
    /// Triggers the sensor may emit events of; an event of any other trigger fails the poll
    /// with `invalid_output`. Empty accepts any trigger.
    pub trigger_types: Vec<String>,
    /// The sensor instance's configuration, handed to `poll` (a JSON object).
    pub config: serde_json::Value,
    /// The pack configuration (WIT `config`).
    pub pack_config: serde_json::Value,
    /// Granted secrets, by name.
    pub secrets: BTreeMap<String, String>,
    /// Hosts reachable through `wasi:http`.
    pub allowed_hosts: Vec<String>,
    /// Limits of each poll.
    pub limits: Limits,
    /// The sensor's datastore (where it keeps state between polls).
    pub kv: Arc<dyn KvStore>,
    /// Time between the start of one poll and the start of the next.
    pub poll_interval: Duration,
}

impl std::fmt::Debug for SensorSpec {
    // Hand-written so that secret values never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SensorSpec")
            .field("sensor_ref", &self.sensor_ref)
            .field("entry_point", &self.entry_point)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

/// An event a sensor reported.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorEvent {
    /// The trigger it is an instance of.
    pub trigger_ref: String,
    /// Its payload.
    pub payload: serde_json::Value,
}

/// How one poll went.
#[derive(Debug, Clone, PartialEq)]
pub struct PollReport {
    /// 1 for the first poll of this schedule, then 2, 3...
    pub poll_count: u64,
    /// The events, or why the poll failed (`action_error` for a guest `err`).
    pub result: Result<Vec<SensorEvent>, Failure>,
    /// Captured standard output.
    pub stdout: CapturedText,
    /// Captured standard error.
    pub stderr: CapturedText,
    /// Captured log lines.
    pub log: CapturedText,
    /// Resources the poll used.
    pub metering: Metering,
    /// Secret names asked for without a grant.
    pub denied_secrets: Vec<String>,
}

impl WasmRuntime {
    /// Polls `sensor` once (its `poll_count`-th poll).
    pub async fn poll_sensor(&self, sensor: &SensorSpec, poll_count: u64, io: &ExecutionIo) -> PollReport {
        let failed = |failure: Failure| PollReport {
            poll_count,
            result: Err(failure),
            stdout: CapturedText::default(),
            stderr: CapturedText::default(),
            log: CapturedText::default(),
            metering: Metering::default(),
            denied_secrets: Vec::new(),
        };
        let pre = match self.prepared(&sensor.entry_point, World::Sensor, io).await {
            Ok(Prepared::Sensor(pre)) => pre,
            Ok(Prepared::Action(_)) => {
                return failed(Failure::new(FailureKind::SetupFailed, "prepared for the wrong world"));
            }
            Err(failure) => return failed(failure),
        };
        let call = PollCall {
            pre,
            context: types::SensorContext {
                sensor_ref: sensor.sensor_ref.clone(),
                pack_ref: sensor.pack_ref.clone(),
                poll_count,
            },
            config: sensor.config.to_string(),
            trigger_types: sensor.trigger_types.clone(),
        };
        let grants = Grants {
            secrets: sensor.secrets.clone(),
            pack_config: sensor.pack_config.clone(),
            kv: sensor.kv.clone(),
            allowed_hosts: sensor.allowed_hosts.clone(),
            requester: format!("sensor {} (poll {poll_count})", sensor.sensor_ref),
        };
        let run = sandbox::run(self.engine(), call, grants, &sensor.limits, io).await;
        PollReport {
            poll_count,
            result: run.result,
            stdout: run.stdout,
            stderr: run.stderr,
            log: run.log,
            metering: run.metering,
            denied_secrets: run.denied_secrets,
        }
    }

    /// Polls `sensor` now and then every `poll_interval`, sending each poll's report to
    /// `reports`, until `io.cancel` fires or the receiver is dropped. A failed poll is
    /// reported and logged; the schedule goes on. A poll that overruns the interval delays
    /// the next one rather than stacking polls up.
    pub fn spawn_sensor(
        &self,
        sensor: SensorSpec,
        io: ExecutionIo,
        reports: mpsc::Sender<PollReport>,
    ) -> JoinHandle<()> {
        let runtime = self.clone();
        tokio::spawn(async move {
            let mut schedule = tokio::time::interval(sensor.poll_interval);
            schedule.set_missed_tick_behavior(MissedTickBehavior::Delay);
            for poll_count in 1.. {
                tokio::select! {
                    biased;
                    () = io.cancel.cancelled() => break,
                    _ = schedule.tick() => {}
                }
                let report = runtime.poll_sensor(&sensor, poll_count, &io).await;
                if let Err(failure) = &report.result {
                    if failure.kind == FailureKind::Cancelled {
                        break;
                    }
                    tracing::warn!(sensor = %sensor.sensor_ref, poll_count, %failure, "sensor poll failed");
                }
                if reports.send(report).await.is_err() {
                    break;
                }
            }
        })
    }
}

/// One call of a sensor's `poll`.
struct PollCall {
    pre: SensorPre<HostState>,
    context: types::SensorContext,
    config: String,
    trigger_types: Vec<String>,
}

impl GuestCall for PollCall {
    type Output = Vec<SensorEvent>;

    async fn call(self, store: &mut Store<HostState>) -> wasmtime::Result<Result<Vec<SensorEvent>, Failure>> {
        let sensor = match self.pre.instantiate_async(&mut *store).await {
            Ok(sensor) => sensor,
            Err(error) => return instantiation_failed(error),
        };
        let returned = sensor.call_poll(&mut *store, &self.context, &self.config).await?;
        Ok(match returned {
            Ok(events) => events.into_iter().map(|event| check_event(event, &self.trigger_types)).collect(),
            Err(message) => Err(Failure::new(FailureKind::ActionError, message)),
        })
    }
}

fn check_event(event: types::Event, trigger_types: &[String]) -> Result<SensorEvent, Failure> {
    if !trigger_types.is_empty() && !trigger_types.contains(&event.trigger) {
        return Err(Failure::new(
            FailureKind::InvalidOutput,
            format!("the sensor emitted an event of trigger '{}', which is not among its trigger_types", event.trigger),
        ));
    }
    let payload = crate::action::parse_json_output(&event.payload)?;
    Ok(SensorEvent { trigger_ref: event.trigger, payload })
}
