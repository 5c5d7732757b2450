//! `attune server`: every role in one process.

use anyhow::Context;
use attune_api::ApiState;
use attune_bus::{Bus, MemoryBus};
use attune_config::Config;
use attune_services::Platform;
use attune_services::bootstrap::{ADMIN_LOGIN, bootstrap};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use crate::compose;
use crate::signals::shutdown_signal;

/// Environment variable that sets the admin password on first start.
const ADMIN_PASSWORD_VAR: &str = "ATTUNE_ADMIN_PASSWORD";

/// Starts every role and runs until SIGINT or SIGTERM. With no `bus.url`, the roles talk
/// through an in-process bus and this process owns all the work: its start-up
/// reconciliation re-drives everything a previous run left unfinished.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let (bus, owns_everything): (Arc<dyn Bus>, bool) = match &config.bus.url {
        None => (Arc::new(MemoryBus::new()), true),
        Some(_) => (compose::bus(&config).await?, false),
    };
    let platform = compose::platform(&config, bus).await?;
    let admin_password = std::env::var(ADMIN_PASSWORD_VAR).ok().filter(|p| !p.is_empty());
    if let Some(admin) = bootstrap(&platform, admin_password).await.context("first-start setup failed")? {
        if admin.generated {
            // Printed once, on the first start only: it is not stored anywhere in clear.
            println!("Created the '{ADMIN_LOGIN}' identity. Its password (shown only now): {}", admin.password);
        } else {
            println!("Created the '{ADMIN_LOGIN}' identity with the password from {ADMIN_PASSWORD_VAR}.");
        }
    }
    register_packs(&platform, &config).await;

    let shutdown = CancellationToken::new();
    // The worker first, so that the executor's first pass finds it alive.
    let worker = attune_worker::start(compose::worker_deps(&platform, &config)?, compose::worker_config(&config, Some("embedded")))
        .await
        .context("the worker cannot start")?;
    let worker = tokio::spawn(worker.run(shutdown.child_token()));
    let executor = tokio::spawn(attune_executor::run(
        platform.store.clone(),
        platform.bus.clone(),
        compose::executor_config(&config),
        owns_everything,
        shutdown.child_token(),
    ));

    let state = ApiState { platform, max_body_bytes: config.server.max_body_bytes };
    let served = compose::serve(state, &config, shutdown_signal()).await;
    shutdown.cancel();
    if let Ok(Err(error)) = executor.await {
        tracing::error!(%error, "executor stopped with an error");
    }
    let _ = worker.await;
    tracing::info!("stopped");
    served
}

/// Registers every pack under the packs directory. A broken pack is reported and skipped:
/// it must not keep the others (or the server) from starting.
async fn register_packs(platform: &Platform, config: &Config) {
    let dir = &config.packs_dir;
    if !dir.is_dir() {
        tracing::warn!(packs_dir = %dir.display(), "packs directory not found; no packs registered");
        return;
    }
    match attune_packs::register_packs_dir(platform.store.as_ref(), dir).await {
        Ok(outcomes) => {
            for (path, outcome) in outcomes {
                if let Err(error) = outcome {
                    tracing::error!(pack = %path.display(), %error, "pack not registered");
                }
            }
        }
        Err(error) => tracing::error!(packs_dir = %dir.display(), %error, "cannot read the packs directory"),
    }
}
