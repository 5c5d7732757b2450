//! `attune migrate`.

use anyhow::Context;
use attune_config::Config;

use crate::compose::redact;

/// Applies pending migrations to the configured database.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.database.url.is_none() {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create the data directory {}", config.data_dir.display()))?;
    }
    let url = config.database_url();
    let store = attune_store::connect(&url).await.with_context(|| format!("cannot migrate {}", redact(&url)))?;
    println!("database {} ({}) is up to date", redact(&url), store.backend());
    Ok(())
}
