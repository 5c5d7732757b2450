//! What the processes that serve the API do before serving: first-start setup and pack
//! registration.

use anyhow::Context;
use attune_config::Config;
use attune_services::Platform;
use attune_services::bootstrap::{ADMIN_LOGIN, bootstrap};

use crate::environment::Inherited;

/// Environment variable that sets the admin password on first start.
const ADMIN_PASSWORD_VAR: &str = "ATTUNE_ADMIN_PASSWORD";

/// Seeds runtimes and roles, creates the admin identity on first start (printing a generated
/// password once), and registers every pack under the packs directory.
pub async fn prepare(platform: &Platform, config: &Config, env: &Inherited) -> anyhow::Result<()> {
    let admin_password = env.get(ADMIN_PASSWORD_VAR);
    if let Some(admin) = bootstrap(platform, admin_password).await.context("first-start setup failed")? {
        if admin.generated {
            // Printed once, on the first start only: it is not stored anywhere in clear.
            println!("Created the '{ADMIN_LOGIN}' identity. Its password (shown only now): {}", admin.password);
        } else {
            println!("Created the '{ADMIN_LOGIN}' identity with the password from {ADMIN_PASSWORD_VAR}.");
        }
    }
    register_packs(platform, config).await;
    Ok(())
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
