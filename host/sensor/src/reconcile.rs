//! Bringing what runs in line with what the store says should run.
//!
//! At each refresh the [`Desired`] state is compared with what runs: sensors that are gone
//! or whose definition changed are stopped (changed ones then start again with the new
//! definition), timers nobody configures any more are stopped, new timers and sensors are
//! started, and the sensors configuring each timer are updated in place (a built-in sensor
//! joining a rule's timer does not restart it). Everything that is stopped is told first
//! and waited for afterwards, so that native processes wind down in parallel.

use std::collections::BTreeMap;
use std::sync::Arc;

use attune_domain::Json;
use attune_domain::status::SensorStatus;
use attune_runtime_native::{NativeRuntimes, Toolchain};
use attune_runtime_wasm::WasmRuntime;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::SensorConfig;
use crate::context::Context;
use crate::desired::{Desired, DesiredSensor};
use crate::native::NativeSensor;
use crate::timers::Timer;
use crate::timers::settings::TimerKey;

/// What runs, and how to start more.
pub(crate) struct Reconciler {
    ctx: Context,
    wasm: WasmRuntime,
    toolchain: Arc<Toolchain>,
    config: SensorConfig,
    timers: BTreeMap<TimerKey, Timer>,
    sensors: BTreeMap<String, RunningSensor>,
}

/// A sensor being run.
struct RunningSensor {
    /// Its definition when it was started.
    fingerprint: Json,
    /// Its poller or process supervisor; none for a built-in sensor (its timers run).
    task: Option<(CancellationToken, JoinHandle<()>)>,
}

impl RunningSensor {
    fn cancel(&self) {
        if let Some((cancel, _)) = &self.task {
            cancel.cancel();
        }
    }

    async fn stopped(self, sensor_ref: &str) {
        self.cancel();
        if let Some((_, task)) = self.task
            && let Err(error) = task.await
        {
            tracing::error!(sensor = sensor_ref, %error, "a sensor task panicked");
        }
    }
}

impl Reconciler {
    pub(crate) fn new(ctx: Context, wasm: WasmRuntime, toolchain: Arc<Toolchain>, config: SensorConfig) -> Self {
        Self { ctx, wasm, toolchain, config, timers: BTreeMap::new(), sensors: BTreeMap::new() }
    }

    /// Stops, restarts and starts sensors and timers so that `desired` runs.
    pub(crate) async fn apply(&mut self, desired: Desired) {
        let mut fingerprints: BTreeMap<String, Json> =
            desired.sensors.iter().map(|(sensor_ref, sensor)| (sensor_ref.clone(), sensor.fingerprint())).collect();
        let outdated: Vec<String> = self
            .sensors
            .iter()
            .filter(|(sensor_ref, running)| fingerprints.get(*sensor_ref) != Some(&running.fingerprint))
            .map(|(sensor_ref, _)| sensor_ref.clone())
            .collect();
        let outdated: Vec<_> = outdated.into_iter().filter_map(|r| self.sensors.remove_entry(&r)).collect();
        let unused: Vec<TimerKey> =
            self.timers.keys().filter(|key| !desired.timers.contains_key(*key)).cloned().collect();
        let unused: Vec<_> = unused.into_iter().filter_map(|key| self.timers.remove(&key)).collect();
        self.stop(outdated, unused).await;

        for (key, wanted) in &desired.timers {
            let timer =
                self.timers.entry(key.clone()).or_insert_with(|| Timer::start(&self.ctx, wanted.settings.clone()));
            timer.set_owners(wanted.owners.clone());
        }
        for (sensor_ref, sensor) in desired.sensors {
            if !self.sensors.contains_key(&sensor_ref) {
                let fingerprint = fingerprints.remove(&sensor_ref).unwrap_or_default();
                let task = self.start(&sensor_ref, sensor).await;
                self.sensors.insert(sensor_ref, RunningSensor { fingerprint, task });
            }
        }
        // Disabled sensors show `stopped`: those stopped just now, and those a previous
        // service left in another state.
        for (sensor_ref, status) in desired.idle {
            if status != SensorStatus::Stopped {
                self.ctx.status(&sensor_ref, SensorStatus::Stopped, Some("disabled".into())).await;
            }
        }
    }

    /// Stops everything, recording every sensor `stopped`.
    pub(crate) async fn stop_all(&mut self) {
        let sensors: Vec<_> = std::mem::take(&mut self.sensors).into_iter().collect();
        let timers: Vec<_> = std::mem::take(&mut self.timers).into_values().collect();
        let refs: Vec<String> = sensors.iter().map(|(sensor_ref, _)| sensor_ref.clone()).collect();
        self.stop(sensors, timers).await;
        for sensor_ref in refs {
            self.ctx.status(&sensor_ref, SensorStatus::Stopped, Some("the sensor service stopped".into())).await;
        }
    }

    async fn stop(&self, sensors: Vec<(String, RunningSensor)>, timers: Vec<Timer>) {
        sensors.iter().for_each(|(_, sensor)| sensor.cancel());
        timers.iter().for_each(Timer::cancel);
        for (sensor_ref, sensor) in sensors {
            sensor.stopped(&sensor_ref).await;
        }
        for timer in timers {
            timer.stopped(&self.ctx).await;
        }
    }

    /// Starts one sensor; returns its task, if it has one.
    async fn start(&self, sensor_ref: &str, sensor: DesiredSensor) -> Option<(CancellationToken, JoinHandle<()>)> {
        self.ctx.status(sensor_ref, SensorStatus::Starting, None).await;
        let cancel = CancellationToken::new();
        let task = match sensor {
            DesiredSensor::Builtin { timers, .. } => {
                let (status, detail) = self.status_of_timers(&timers);
                self.ctx.status(sensor_ref, status, detail).await;
                return None;
            }
            DesiredSensor::Wasm(unit) => tokio::spawn(crate::wasm::run(
                self.ctx.clone(),
                self.wasm.clone(),
                self.config.clone(),
                unit,
                cancel.clone(),
            )),
            DesiredSensor::Native(unit) => {
                let Some(language) = NativeRuntimes::language(unit.sensor.runner_type.as_str()) else {
                    let detail = format!("no native runtime runs '{}' sensors", unit.sensor.runner_type);
                    self.ctx.status(sensor_ref, SensorStatus::Failing, Some(detail)).await;
                    return None;
                };
                let native = NativeSensor {
                    unit,
                    language,
                    toolchain: self.toolchain.clone(),
                    backoff: self.config.restart,
                    api_url: self.config.api_url.clone(),
                };
                tokio::spawn(crate::native::run(self.ctx.clone(), native, cancel.clone()))
            }
        };
        Some((cancel, task))
    }

    /// A built-in sensor's status: failing if a timer it configures cannot run, stopped if
    /// its one-shot is done, running otherwise.
    fn status_of_timers(&self, keys: &[TimerKey]) -> (SensorStatus, Option<String>) {
        let statuses: Vec<_> = keys.iter().filter_map(|key| self.timers.get(key)).map(Timer::owner_status).collect();
        let pick = |wanted| statuses.iter().find(|(status, _)| *status == wanted).cloned();
        pick(SensorStatus::Failing)
            .or_else(|| pick(SensorStatus::Running))
            .or_else(|| pick(SensorStatus::Stopped))
            .unwrap_or((SensorStatus::Failing, Some("it configures no timer".into())))
    }
}
