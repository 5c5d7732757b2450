//! Attune's configuration.
//!
//! Sources, later ones winning: built-in defaults; a YAML file (`--config`, `ATTUNE_CONFIG`,
//! or `./attune.yaml` when present); environment variables `ATTUNE__SECTION__KEY` (e.g.
//! `ATTUNE__SERVER__LISTEN=0.0.0.0:8080`, `ATTUNE__DATA_DIR=/var/lib/attune`), whose values
//! are read as YAML scalars; and `ATTUNE_DATA_DIR`, the one shortcut for the data directory.
//!
//! A key nobody reads is an error naming the key (and the variable or file it came from):
//! a typo never silently falls back to a default. Secrets (encryption key, JWT secret) are
//! not configuration: they come from the environment or from generated files in the data
//! directory (see the security crate).

mod load;
mod model;

pub use load::{ConfigError, load};
pub use model::{
    ArtifactsConfig, AuthConfig, BusConfig, Config, DatabaseConfig, KeepConfig, LimitsConfig, LogConfig, LogFormat,
    MetricsAccess, NativeLimitsConfig, NativeRuntimeConfig, OpsConfig, RetentionConfig, RuntimesConfig, SensorConfig,
    ServerConfig, TracesConfig, WasmRuntimeConfig, WorkerConfig,
};
