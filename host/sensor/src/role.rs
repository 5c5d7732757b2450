//! The sensor service's life: load, start, refresh and reconcile, stop.

use std::sync::Arc;

use attune_bus::Bus;
use attune_runtime_native::Toolchain;
use attune_runtime_wasm::WasmRuntime;
use attune_store::Store;
use tokio::sync::broadcast;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::config::SensorConfig;
use crate::context::{Context, Notice};
use crate::desired::Desired;
use crate::error::SensorError;
use crate::reconcile::Reconciler;

/// What the sensor service is built from.
#[derive(Clone)]
pub struct SensorDeps {
    /// Where sensors, rules and pack configurations are read, and events and statuses
    /// written.
    pub store: Arc<dyn Store>,
    /// Where new events are announced to the rules engine.
    pub bus: Arc<dyn Bus>,
    /// Polls WASM sensors.
    pub wasm: WasmRuntime,
    /// Starts native sensors: interpreters and pack environments (may be shared with the
    /// worker's native runtimes: `NativeRuntimes::toolchain`).
    pub toolchain: Arc<Toolchain>,
}

/// A sensor service, built but not running yet.
pub struct SensorService {
    ctx: Context,
    reconciler: Reconciler,
    refresh_every: std::time::Duration,
    packs_cache: std::path::PathBuf,
}

impl SensorService {
    /// A service running the sensors and timers of `deps.store` as `config` says.
    pub fn new(deps: SensorDeps, config: SensorConfig) -> Self {
        let ctx = Context::new(deps.store, deps.bus);
        let refresh_every = config.refresh_every;
        let packs_cache = config.packs_cache.clone();
        let reconciler = Reconciler::new(ctx.clone(), deps.wasm, deps.toolchain, config);
        Self { ctx, reconciler, refresh_every, packs_cache }
    }

    /// Notices of what the service does from now on: status changes, timers started and
    /// stopped.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.ctx.subscribe()
    }

    /// Starts every enabled sensor and timer, keeps them in line with the store until
    /// `shutdown` is cancelled, then stops them all (native processes included) and
    /// records every sensor `stopped`. Fails only if the first read of the store fails.
    pub async fn run(mut self, shutdown: CancellationToken) -> Result<(), SensorError> {
        let desired = Desired::load(self.ctx.store().as_ref(), &self.packs_cache).await?;
        self.reconciler.apply(desired).await;
        let mut refresh = tokio::time::interval_at(Instant::now() + self.refresh_every, self.refresh_every);
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                _ = refresh.tick() => match Desired::load(self.ctx.store().as_ref(), &self.packs_cache).await {
                    Ok(desired) => self.reconciler.apply(desired).await,
                    Err(error) => tracing::warn!(%error, "cannot read the sensors; keeping the running ones"),
                },
            }
        }
        self.reconciler.stop_all().await;
        Ok(())
    }
}

/// Runs the sensor service until `shutdown` is cancelled.
pub async fn run(deps: SensorDeps, config: SensorConfig, shutdown: CancellationToken) -> Result<(), SensorError> {
    SensorService::new(deps, config).run(shutdown).await
}
