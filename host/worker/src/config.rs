//! Worker settings.

use std::path::PathBuf;
use std::time::Duration;

use attune_runtime_api::LimitPolicy;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Unique name; a worker restarted under the same name recovers what its previous
    /// incarnation left running.
    pub name: String,
    /// Executions run at once.
    pub concurrency: usize,
    /// Time between heartbeats.
    pub heartbeat_every: Duration,
    /// Default and maximum limits of executions.
    pub limits: LimitPolicy,
    /// URL actions use to call the API (`ATTUNE_API_URL`).
    pub api_url: Option<String>,
    /// How long a stopping worker lets running executions finish.
    pub shutdown_grace: Duration,
    /// What its native sandbox was found to be at start-up (shown in its capabilities).
    pub sandbox: Option<serde_json::Value>,
    /// Where packs installed from archives are unpacked, by digest (fetched from the store
    /// when missing).
    pub packs_cache: PathBuf,
}

impl WorkerConfig {
    /// A worker named `name` with default settings.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            concurrency: 16,
            heartbeat_every: Duration::from_secs(5),
            limits: LimitPolicy::default(),
            api_url: None,
            shutdown_grace: Duration::from_secs(10),
            sandbox: None,
            packs_cache: std::env::temp_dir().join("attune-packs"),
        }
    }
}
