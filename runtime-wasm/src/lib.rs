//! Attune's WebAssembly sandbox: runs actions and sensors shipped as components of the
//! `attune:automation` WIT worlds (see `wit/`) under wasmtime, each execution in a fresh
//! store with its own fuel, memory and wall-clock limits.
//!
//! The worker builds one [`WasmRuntime`] from a [`WasmRuntimeConfig`] and registers it for
//! `runner_type: wasm`; it then runs executions through the
//! [`attune_runtime_api::Runtime`] trait like any other runtime. The sensor service polls
//! WASM sensors with [`WasmRuntime::spawn_sensor`]. `attune pack build` turns sources into
//! components with [`build`].
//!
//! Module plan:
//! - [`config`]: cache directory and pool sizing.
//! - `engine`: the shared engine (fuel, epoch clock); `pool`: its instance pool and what
//!   the pool keeps resident between executions ([`PoolUsage`]).
//! - `cache`, `digest`, `components`, `python_cache`: from an entry point to a
//!   pre-instantiated component, compiled once and cached on disk by digest.
//! - [`seal`]: the MAC every cached file carries ([`CacheKey`]).
//! - `host`: the store's data and the host side of `log`, `secrets`, `config`, `kv`.
//! - `http_policy`: the `allowed_hosts` allowlist in front of `wasi:http`.
//! - `limits`: fuel, memory, deadline and cancellation, and naming the limit that fired.
//! - `capture`: bounded stdout/stderr/log capture with live lines.
//! - `sandbox`: one guest call in a fresh store; `action` and [`sensor`] build on it.
//! - [`build`]: WAT/core module → component, Python → component (the `attune-wasm-build`
//!   crate, re-exported).

mod action;
mod bindings;
pub use attune_wasm_build as build;
mod cache;
mod capture;
mod components;
pub mod config;
mod digest;
mod engine;
mod error;
mod host;
mod http_policy;
mod limits;
mod pool;
mod python_cache;
mod sandbox;
pub mod seal;
pub mod sensor;

pub use action::WasmRuntime;
pub use build::{BuildError, World};
pub use components::ComponentStats;
pub use config::WasmRuntimeConfig;
pub use digest::ComponentDigest;
pub use error::SetupError;
pub use http_policy::HostAllowlist;
pub use pool::PoolUsage;
pub use seal::CacheKey;
pub use sensor::{PollReport, SensorEvent, SensorSpec};
