//! The runtimes a worker runs actions with, and the sensor service its sensors with: the
//! WebAssembly sandbox and the shell, Python and Node subprocess runners, confined by the
//! native sandbox.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use attune_config::Config;
use attune_runtime_api::RuntimeRegistry;
use attune_runtime_native::sandbox::{NativeLimitPolicy, NativeLimits};
use attune_runtime_native::{NativeConfig, NativeRuntimes, SandboxConfig, SandboxStatus};
use attune_runtime_wasm::{CacheKey, WasmRuntime, WasmRuntimeConfig};
use attune_security::Cipher;

use crate::compose::limit_policy;

/// Every runtime: the WebAssembly one and `native`'s.
pub fn runtime_registry(config: &Config, cipher: &Cipher, native: &NativeRuntimes) -> anyhow::Result<RuntimeRegistry> {
    let mut registry = RuntimeRegistry::new();
    registry.register(Arc::new(wasm_runtime(config, cipher)?));
    native.register_into(&mut registry);
    Ok(registry)
}

/// The WebAssembly runtime, its component cache in the data directory, sealed with a key
/// derived from the server's encryption key.
pub fn wasm_runtime(config: &Config, cipher: &Cipher) -> anyhow::Result<WasmRuntime> {
    let mut wasm = wasm_config(config);
    wasm.cache_key = CacheKey::derived_from(&cipher.derive_key("component cache"));
    WasmRuntime::new(wasm).context("cannot start the WebAssembly runtime")
}

/// The WebAssembly runtime's settings: its cache directory, the memory cap from `limits.*`
/// and its instance pool from `runtimes.wasm.*`.
fn wasm_config(config: &Config) -> WasmRuntimeConfig {
    let pool = &config.runtimes.wasm;
    WasmRuntimeConfig {
        max_instances: pool.max_instances,
        warm_slots: pool.warm_slots,
        keep_resident_bytes: usize::try_from(pool.keep_resident_bytes).unwrap_or(usize::MAX),
        ..WasmRuntimeConfig::new(config.wasm_cache_dir(), &limit_policy(config))
    }
}

/// The shell, Python and Node runtimes, their sandbox checked: start-up fails when the
/// host cannot confine native processes (unless the sandbox is turned off, which is said
/// loudly at every start).
pub async fn native_runtimes(config: &Config) -> anyhow::Result<(NativeRuntimes, SandboxStatus)> {
    let runtimes = NativeRuntimes::new(native_config(config));
    let status = runtimes.toolchain().sandbox().probe().await.context("cannot start the native runtimes")?;
    match &status {
        SandboxStatus::Off => tracing::error!(
            "native sandbox {}; set runtimes.native.sandbox: true unless every pack is trusted as much as the \
             server itself",
            status.describe()
        ),
        SandboxStatus::On { .. } => tracing::info!("native sandbox {}", status.describe()),
    }
    Ok((runtimes, status))
}

/// The native runtimes' settings from `runtimes.native.*`, with everything of the server's
/// that native processes must never see.
fn native_config(config: &Config) -> NativeConfig {
    let native = &config.runtimes.native;
    let l = &native.limits;
    let mut hidden: Vec<PathBuf> = vec![config.data_dir.clone(), config.packs_dir.clone(), config.runtime_envs_dir()];
    hidden.extend(config.file.clone());
    hidden.extend(native.hidden_paths.iter().cloned());
    let defaults = SandboxConfig::default();
    NativeConfig {
        grace_period_ms: native.grace_period_ms,
        setup_timeout_s: native.setup_timeout_s,
        sandbox: SandboxConfig {
            enabled: native.sandbox,
            helper: native.sandbox_helper.clone(),
            run_as: native.run_as.clone(),
            limits: NativeLimitPolicy {
                defaults: NativeLimits {
                    memory_mb: l.memory_mb,
                    processes: l.processes,
                    open_files: l.open_files,
                    cpu_s: l.cpu_s,
                    tmp_mb: l.tmp_mb,
                },
                caps: NativeLimits {
                    memory_mb: l.max_memory_mb,
                    processes: l.max_processes,
                    open_files: l.max_open_files,
                    cpu_s: l.max_cpu_s,
                    tmp_mb: l.max_tmp_mb,
                },
            },
            system_paths: native.system_paths.clone().unwrap_or(defaults.system_paths),
            writable_paths: native.writable_paths.clone(),
            hidden_paths: hidden,
            ..defaults
        },
        ..NativeConfig::with_envs_dir(config.runtime_envs_dir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_pool_comes_from_configuration() {
        let mut config = Config::default();
        config.runtimes.wasm.max_instances = 64;
        config.runtimes.wasm.warm_slots = 4;
        config.runtimes.wasm.keep_resident_bytes = 64 << 10;
        config.limits.max_memory_mb = 512;
        let wasm = wasm_config(&config);
        assert_eq!((wasm.max_instances, wasm.warm_slots, wasm.keep_resident_bytes), (64, 4, 64 << 10));
        assert_eq!(wasm.max_memory_bytes, 512 << 20);
        assert_eq!(wasm.cache_dir, config.wasm_cache_dir());
    }
}
