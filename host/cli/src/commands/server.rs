//! `attune server`: every role in one process: API, executor, worker and sensor service.

use anyhow::Context;
use attune_api::ApiState;
use attune_bus::{Bus, MemoryBus};
use attune_config::Config;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use super::startup;
use crate::compose;
use crate::environment::Inherited;
use crate::signals::shutdown_signal;

/// Starts every role and runs until SIGINT or SIGTERM. With no `bus.url`, the roles talk
/// through an in-process bus and this process owns all the work: its start-up
/// reconciliation re-drives everything a previous run left unfinished.
pub async fn run(mut config: Config, env: &Inherited) -> anyhow::Result<()> {
    // Bound first, so that actions and sensors are told the address it really has (port 0
    // picks one) when no public URL is configured.
    let listener = compose::listen(&config).await?;
    if config.server.public_url.is_none() {
        config.server.public_url = Some(format!("http://{}", listener.local_addr()?));
    }
    let (bus, owns_everything): (Arc<dyn Bus>, bool) = match &config.bus.url {
        None => (Arc::new(MemoryBus::new()), true),
        Some(_) => (compose::bus(&config).await?, false),
    };
    let platform = compose::platform(&config, env, bus).await?;
    let (native, sandbox) = crate::runtimes::native_runtimes(&config).await?;
    startup::prepare(&platform, &config, env).await?;

    let shutdown = CancellationToken::new();
    // The worker first, so that the executor's first pass finds it alive.
    let worker = attune_worker::start(
        compose::worker_deps(&platform, &config, &native)?,
        compose::worker_config(&config, Some("embedded"), &sandbox),
    )
    .await
    .context("the worker cannot start")?;
    let probes = Arc::new(crate::ops::RoleProbes::new(&platform, true, Some(worker.id())));
    let worker = tokio::spawn(worker.run(shutdown.child_token()));
    let sensor = attune_sensor::SensorService::new(
        compose::sensor_deps(&platform, &config, &native)?,
        compose::sensor_config(&config),
    );
    let sensor = tokio::spawn(sensor.run(shutdown.child_token()));
    tokio::spawn(attune_services::retention::run(
        platform.store.clone(),
        compose::retention(&config, &platform),
        shutdown.child_token(),
    ));
    let executor = tokio::spawn(attune_executor::run(
        platform.clone(),
        compose::executor_config(&config),
        owns_everything,
        shutdown.child_token(),
    ));

    let state = ApiState {
        sandbox: serde_json::to_value(&sandbox).ok(),
        probes,
        metrics: crate::ops::metrics_access(&config, env)?,
        ..ApiState::new(platform, config.packs_dir.clone(), config.packs_cache_dir(), compose::http_limits(&config))
    };
    let served = compose::serve(attune_api::app(state), "Attune", listener, &config, shutdown_signal()).await;
    shutdown.cancel();
    if let Ok(Err(error)) = executor.await {
        tracing::error!(%error, "executor stopped with an error");
    }
    if let Ok(Err(error)) = sensor.await {
        tracing::error!(%error, "sensor service stopped with an error");
    }
    let _ = worker.await;
    tracing::info!("stopped");
    served
}
