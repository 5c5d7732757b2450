//! Resource limits: server defaults, hard caps, and what an action may ask for.
//!
//! An action's `limits` and `timeout` may only lower what the server allows. Asking for more
//! than a cap is not an error (packs are written for many servers); it is clamped to the cap.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The limits one execution runs under, after resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock limit for the whole execution.
    pub timeout: Duration,
    /// WASM: fuel (roughly, instructions) the guest may consume.
    pub fuel: u64,
    /// WASM: bytes of linear memory (and tables) the guest may grow to.
    pub memory_bytes: u64,
    /// Bytes kept of each captured stream (stdout, stderr, log); the rest is dropped and the
    /// stream flagged as truncated.
    pub output_bytes: usize,
    /// Bytes of files the execution may publish as artifacts, all together.
    pub artifact_bytes: u64,
}

/// What an action definition asks for (all optional). Each runtime reads the limits it
/// enforces: WASM fuel and memory; native memory, processes, open files, CPU time and
/// temporary space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestedLimits {
    /// Seconds (the action's `timeout`).
    pub timeout_s: Option<u64>,
    /// Fuel units.
    pub fuel: Option<u64>,
    /// Mebibytes of memory.
    pub memory_mb: Option<u64>,
    /// Native: processes and threads.
    pub processes: Option<u64>,
    /// Native: open files per process.
    pub open_files: Option<u64>,
    /// Native: CPU seconds per process.
    pub cpu_s: Option<u64>,
    /// Native: mebibytes of temporary space.
    pub tmp_mb: Option<u64>,
}

/// Server-side defaults and caps, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitPolicy {
    /// Used when the action does not ask.
    pub defaults: Limits,
    /// Never exceeded, whatever the action asks.
    pub caps: Limits,
}

impl Default for LimitPolicy {
    fn default() -> Self {
        Self {
            defaults: Limits {
                timeout: Duration::from_secs(60),
                fuel: 10_000_000_000,
                memory_bytes: 128 << 20,
                output_bytes: 10 << 20,
                artifact_bytes: 16 << 20,
            },
            caps: Limits {
                timeout: Duration::from_secs(24 * 3600),
                fuel: 1_000_000_000_000,
                memory_bytes: 4 << 30,
                output_bytes: 10 << 20,
                artifact_bytes: 16 << 20,
            },
        }
    }
}

impl LimitPolicy {
    /// The effective limits for an action asking for `requested`: the action's value where
    /// given, the default otherwise, and never above the cap.
    pub fn resolve(&self, requested: &RequestedLimits) -> Limits {
        let d = &self.defaults;
        let c = &self.caps;
        Limits {
            timeout: requested.timeout_s.map_or(d.timeout, Duration::from_secs).min(c.timeout),
            fuel: requested.fuel.unwrap_or(d.fuel).min(c.fuel),
            memory_bytes: requested
                .memory_mb
                .map_or(d.memory_bytes, |mb| mb.saturating_mul(1 << 20))
                .min(c.memory_bytes),
            output_bytes: d.output_bytes.min(c.output_bytes),
            artifact_bytes: d.artifact_bytes.min(c.artifact_bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_nothing_is_requested() {
        let policy = LimitPolicy::default();
        assert_eq!(policy.resolve(&RequestedLimits::default()), policy.defaults);
    }

    #[test]
    fn an_action_may_lower_but_not_exceed_the_caps() {
        let policy = LimitPolicy::default();
        let lowered = policy.resolve(&RequestedLimits {
            timeout_s: Some(5),
            fuel: Some(1000),
            memory_mb: Some(16),
            ..RequestedLimits::default()
        });
        assert_eq!(lowered.timeout, Duration::from_secs(5));
        assert_eq!(lowered.fuel, 1000);
        assert_eq!(lowered.memory_bytes, 16 << 20);

        let greedy = policy.resolve(&RequestedLimits {
            timeout_s: Some(u64::MAX / 2),
            fuel: Some(u64::MAX),
            memory_mb: Some(u64::MAX),
            ..RequestedLimits::default()
        });
        assert_eq!(greedy.timeout, policy.caps.timeout);
        assert_eq!(greedy.fuel, policy.caps.fuel);
        assert_eq!(greedy.memory_bytes, policy.caps.memory_bytes);
    }
}
