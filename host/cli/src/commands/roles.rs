//! The distributed roles, each its own process sharing PostgreSQL and RabbitMQ:
//! `attune api`, `attune executor`, `attune worker`, `attune sensor`, `attune notifier`.

use anyhow::Context;
use attune_api::ApiState;
use attune_config::Config;
use tokio_util::sync::CancellationToken;

use super::startup;
use crate::environment::Inherited;
use crate::signals::shutdown_signal;
use crate::{compose, ops};

/// `attune api`: first-start setup and pack registration, then serves the API; the work it
/// accepts is carried to the other roles by the bus. Workers must see the packs at the same
/// paths (a shared or identical packs directory).
pub async fn api(config: Config, env: &Inherited) -> anyhow::Result<()> {
    let bus = compose::shared_bus(&config, "api").await?;
    let platform = compose::platform(&config, env, bus).await?;
    startup::prepare(&platform, &config, env).await?;
    let state = ApiState {
        metrics: ops::metrics_access(&config, env)?,
        ..ApiState::new(platform, config.packs_dir.clone(), config.packs_cache_dir(), compose::http_limits(&config))
    };
    let app = attune_api::app(state);
    compose::serve(app, "Attune", compose::listen(&config).await?, &config, shutdown_signal()).await
}

/// `attune notifier`: serves only the live stream (`/api/v1/stream`) and `/health`, holding
/// the WebSocket connections of live views apart from the REST API. Notices reach it from
/// every role through the bus.
pub async fn notifier(config: Config, env: &Inherited) -> anyhow::Result<()> {
    let bus = compose::shared_bus(&config, "notifier").await?;
    let platform = compose::platform(&config, env, bus).await?;
    let state = ApiState {
        metrics: ops::metrics_access(&config, env)?,
        // The API exports the gauges read from the store: the notifier would count them twice.
        probes: std::sync::Arc::new(ops::RoleProbes::new(&platform, false, None)),
        ..ApiState::new(platform, config.packs_dir.clone(), config.packs_cache_dir(), compose::http_limits(&config))
    };
    let app = attune_api::notifier_app(state);
    compose::serve(app, "Attune notifier", compose::listen(&config).await?, &config, shutdown_signal()).await
}

/// `attune executor`: schedules, reconciles and collects history that is due (retention)
/// until SIGINT or SIGTERM.
pub async fn executor(config: Config, env: &Inherited) -> anyhow::Result<()> {
    let bus = compose::shared_bus(&config, "executor").await?;
    let platform = compose::platform(&config, env, bus).await?;
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.cancel();
    });
    ops::spawn_listener(&config, env, ops::RoleProbes::new(&platform, false, None), shutdown.clone()).await?;
    tokio::spawn(attune_services::retention::run(
        platform.store.clone(),
        compose::retention(&config, &platform),
        shutdown.clone(),
    ));
    println!("Attune executor is running");
    attune_executor::run(platform, compose::executor_config(&config), false, shutdown).await.context("executor stopped")
}

/// `attune worker`: runs executions until SIGINT or SIGTERM.
pub async fn worker(config: Config, env: &Inherited) -> anyhow::Result<()> {
    let bus = compose::shared_bus(&config, "worker").await?;
    let platform = compose::platform(&config, env, bus).await?;
    let (native, sandbox) = crate::runtimes::native_runtimes(&config).await?;
    let worker_config = compose::worker_config(&config, None, &sandbox);
    let deps = compose::worker_deps(&platform, &config, &native)?;
    let worker = attune_worker::start(deps, worker_config).await.context("worker cannot start")?;
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.cancel();
    });
    let probes = ops::RoleProbes::new(&platform, false, Some(worker.id()));
    ops::spawn_listener(&config, env, probes, shutdown.clone()).await?;
    println!("Attune worker {} is running", worker.id());
    worker.run(shutdown).await;
    Ok(())
}

/// `attune sensor`: fires the timers and runs the sensors until SIGINT or SIGTERM. Run
/// exactly one per installation: a second would fire every timer and run every sensor
/// again. It reads sensors from the packs the API registered, at the same paths.
pub async fn sensor(config: Config, env: &Inherited) -> anyhow::Result<()> {
    let bus = compose::shared_bus(&config, "sensor").await?;
    let platform = compose::platform(&config, env, bus).await?;
    let (native, _) = crate::runtimes::native_runtimes(&config).await?;
    let service = attune_sensor::SensorService::new(
        compose::sensor_deps(&platform, &config, &native)?,
        compose::sensor_config(&config),
    );
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.cancel();
    });
    ops::spawn_listener(&config, env, ops::RoleProbes::new(&platform, false, None), shutdown.clone()).await?;
    println!("Attune sensor service is running");
    service.run(shutdown).await.context("sensor service stopped")
}
