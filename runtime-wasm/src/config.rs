//! How the sandbox is sized: where compiled components are cached, how large the shared
//! instance pool is and what it keeps resident between executions (see `pool`).
//!
//! Per-execution limits (fuel, memory, timeout, output) are not configured here: they come
//! resolved on each request from the server's `limits.*` through
//! [`attune_runtime_api::LimitPolicy`]. Only the memory *cap* matters here, because the
//! pooling allocator reserves address space for the largest memory any execution may have.

use std::path::PathBuf;
use std::time::Duration;

use attune_runtime_api::LimitPolicy;

use crate::seal::CacheKey;

/// Configuration of one [`crate::WasmRuntime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmRuntimeConfig {
    /// Directory of compiled components, one file per component digest, under a
    /// sub-directory per engine compatibility hash. Created when missing.
    pub cache_dir: PathBuf,
    /// What cached files are sealed with: derive it from a server secret so that a
    /// restart reuses the cache; the default is a random key of this process.
    pub cache_key: CacheKey,
    /// The largest linear memory any execution may be granted (the `limits.max_memory_mb`
    /// cap). Each pool slot reserves address space for this much; a request asking for more
    /// is clamped to it.
    pub max_memory_bytes: u64,
    /// Component instances that may be alive at once (concurrent executions and polls).
    /// Sizes the pooling allocator; an execution beyond it fails with `setup_failed`.
    pub max_instances: u32,
    /// Unused pool slots (memories, tables) kept warm for the next execution. Freed slots
    /// are reused first; past this many unused warm ones, none more is kept warm, so the
    /// resident set follows the executions in flight rather than the pool's size.
    pub warm_slots: u32,
    /// Bytes of each warm linear memory and table kept resident: only pages the guest wrote
    /// (where the kernel can say which, Linux 6.7+), reset in place for the next execution.
    /// The rest of a slot is returned to the kernel when its execution ends.
    pub keep_resident_bytes: usize,
    /// Interval of the epoch clock that enforces wall-clock timeouts and cancellation inside
    /// guest code. A runaway guest is stopped within one tick after its deadline.
    pub epoch_tick: Duration,
}

impl WasmRuntimeConfig {
    /// A configuration caching into `cache_dir` and sized for the caps of `limits`.
    pub fn new(cache_dir: impl Into<PathBuf>, limits: &LimitPolicy) -> Self {
        Self {
            cache_dir: cache_dir.into(),
            max_memory_bytes: limits.caps.memory_bytes,
            ..Self::with_cache_dir(PathBuf::new())
        }
    }

    /// The defaults, caching into `cache_dir`: memory capped at 4 GiB (the server's default
    /// cap), 256 concurrent instances, 16 warm slots keeping 1 MiB each, a 5 ms epoch tick.
    pub fn with_cache_dir(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            cache_dir: cache_dir.into(),
            cache_key: CacheKey::random(),
            max_memory_bytes: LimitPolicy::default().caps.memory_bytes,
            max_instances: 256,
            warm_slots: 16,
            keep_resident_bytes: 1 << 20,
            epoch_tick: Duration::from_millis(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_memory_cap_from_the_limit_policy() {
        let mut policy = LimitPolicy::default();
        policy.caps.memory_bytes = 512 << 20;
        let config = WasmRuntimeConfig::new("/tmp/cache", &policy);
        assert_eq!(config.max_memory_bytes, 512 << 20);
        assert_eq!(config.cache_dir, PathBuf::from("/tmp/cache"));
        assert_eq!(config.max_instances, 256);
    }
}
