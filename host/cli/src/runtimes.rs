//! The runtimes a worker runs actions with: the WebAssembly sandbox and the shell, Python
//! and Node subprocess runners.

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
    let wasm = WasmRuntime::new(WasmRuntimeConfig::new(config.wasm_cache_dir(), &limit_policy(config)))
        .context("cannot start the WebAssembly runtime")?;
    registry.register(Arc::new(wasm));
    NativeRuntimes::new(NativeConfig::with_envs_dir(config.runtime_envs_dir())).register_into(&mut registry);
    Ok(registry)
}
