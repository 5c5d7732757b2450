//! The runtimes a worker runs actions with, and the sensor service its sensors with: the
//! WebAssembly sandbox and the shell, Python and Node subprocess runners.

use std::sync::Arc;

use anyhow::Context;
use attune_config::Config;
use attune_runtime_api::RuntimeRegistry;
use attune_runtime_native::{NativeConfig, NativeRuntimes};
use attune_runtime_wasm::{WasmRuntime, WasmRuntimeConfig};

use crate::compose::limit_policy;

/// Every runtime, configured from `config`.
pub fn runtime_registry(config: &Config) -> anyhow::Result<RuntimeRegistry> {
    let mut registry = RuntimeRegistry::new();
    registry.register(Arc::new(wasm_runtime(config)?));
    native_runtimes(config).register_into(&mut registry);
    Ok(registry)
}

/// The WebAssembly runtime, its component cache in the data directory.
pub fn wasm_runtime(config: &Config) -> anyhow::Result<WasmRuntime> {
    WasmRuntime::new(WasmRuntimeConfig::new(config.wasm_cache_dir(), &limit_policy(config)))
        .context("cannot start the WebAssembly runtime")
}

/// The shell, Python and Node runtimes, their pack environments under `runtime_envs_dir`.
pub fn native_runtimes(config: &Config) -> NativeRuntimes {
    NativeRuntimes::new(NativeConfig::with_envs_dir(config.runtime_envs_dir()))
}
