//! Settings of the sensor service.

use std::path::PathBuf;
use std::time::Duration;

use attune_runtime_api::LimitPolicy;

/// How the sensor service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorConfig {
    /// Time between two reads of the store's sensors and timer rules. A sensor enabled,
    /// disabled or changed is started, stopped or restarted within this time.
    pub refresh_every: Duration,
    /// Time between polls of a WASM sensor whose definition gives no `poll_interval`.
    pub default_poll_interval: Duration,
    /// How soon a native sensor process that ended is started again.
    pub restart: RestartBackoff,
    /// Limits of each WASM poll (a sensor cannot ask for others: the defaults apply).
    pub limits: LimitPolicy,
    /// Base URL of the API, given to native sensors as `ATTUNE_API_URL`.
    pub api_url: Option<String>,
    /// Where packs installed from archives are unpacked, by digest (fetched from the store
    /// when missing).
    pub packs_cache: PathBuf,
}

impl Default for SensorConfig {
    fn default() -> Self {
        Self {
            refresh_every: Duration::from_secs(5),
            default_poll_interval: Duration::from_secs(60),
            restart: RestartBackoff::default(),
            limits: LimitPolicy::default(),
            api_url: None,
            packs_cache: std::env::temp_dir().join("attune-packs"),
        }
    }
}

/// Exponential back-off between restarts of a native sensor: `initial`, doubling up to
/// `max`. A process that stayed up for `reset_after` was healthy: its next restart starts
/// from `initial` again, so that an occasional crash of a long-lived sensor is not punished
/// like a crash loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartBackoff {
    /// Delay after the first failure.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Uptime after which the failure count is forgotten.
    pub reset_after: Duration,
}

impl Default for RestartBackoff {
    fn default() -> Self {
        Self { initial: Duration::from_secs(1), max: Duration::from_secs(60), reset_after: Duration::from_secs(60) }
    }
}

impl RestartBackoff {
    /// The delay before the next start, after `failures` consecutive failures (the first
    /// failure is 1).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial.saturating_mul(1 << doublings).min(self.max)
    }
}

/// A duration as a status detail shows it: `4 s`, `0.5 s`.
pub(crate) fn seconds(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) { format!("{} s", millis / 1000) } else { format!("{} s", duration.as_secs_f64()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_the_cap() {
        let backoff = RestartBackoff::default();
        let delays: Vec<u64> = (1..=9).map(|n| backoff.delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff.delay(u32::MAX), backoff.max);
    }

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(4)), "4 s");
        assert_eq!(seconds(Duration::from_millis(250)), "0.25 s");
    }
}
