//! Why the sensor service stopped with an error.

use attune_store::StoreError;

/// The sensor service could not run.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// The store failed when the service first read its sensors and timer rules. Later
    /// failures are logged and retried at the next refresh.
    #[error("sensor service cannot load its sensors: {0}")]
    Store(#[from] StoreError),
}
