//! `attune server`: the embedded deployment.

use anyhow::Context;
use attune_api::ApiState;
use attune_config::Config;
use attune_services::bootstrap::{ADMIN_LOGIN, bootstrap};

use crate::compose;

/// Environment variable that sets the admin password on first start.
const ADMIN_PASSWORD_VAR: &str = "ATTUNE_ADMIN_PASSWORD";

/// Starts the server and runs until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let platform = compose::platform(&config).await?;
    let admin_password = std::env::var(ADMIN_PASSWORD_VAR)
        .ok()
        .filter(|p| !p.is_empty());
    if let Some(admin) = bootstrap(&platform, admin_password)
        .await
        .context("first-start setup failed")?
    {
        if admin.generated {
            // Printed once, on the first start only: it is not stored anywhere in clear.
            println!(
                "Created the '{ADMIN_LOGIN}' identity. Its password (shown only now): {}",
                admin.password
            );
        } else {
            println!(
                "Created the '{ADMIN_LOGIN}' identity with the password from {ADMIN_PASSWORD_VAR}."
            );
        }
    }
    register_packs(&platform, &config).await;

    let app = attune_api::app(ApiState {
        platform,
        max_body_bytes: config.server.max_body_bytes,
    });
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "attune server ready");
    println!("Attune is listening on http://{address}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Registers every pack under the packs directory. A broken pack is reported and skipped:
/// it must not keep the others (or the server) from starting.
async fn register_packs(platform: &attune_services::Platform, config: &Config) {
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
        Err(error) => {
            tracing::error!(packs_dir = %dir.display(), %error, "cannot read the packs directory")
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler cannot fail on Unix");
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
}
