//! Running actions: [`WasmRuntime`] implements the worker's [`Runtime`] for `runner_type:
//! wasm`.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use attune_runtime_api::{ExecutionContext, ExecutionIo, ExecutionRequest, Failure, FailureKind, Outcome, Runtime};
use wasmtime::{Engine, Store};

use crate::bindings::action::ActionPre;
use crate::bindings::types;
use crate::build::World;
use crate::components::{ComponentRegistry, ComponentStats, Prepared};
use crate::config::WasmRuntimeConfig;
use crate::error::SetupError;
use crate::host::{self, Grants, HostState};
use crate::limits;
use crate::pool::PoolUsage;
use crate::sandbox::{self, GuestCall};

/// The WebAssembly runtime: one shared engine, a component cache, and a fresh sandbox per
/// execution. Cheap to clone (clones share everything).
#[derive(Clone)]
pub struct WasmRuntime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    components: ComponentRegistry,
}

impl WasmRuntime {
    /// A runtime configured by `config`: builds the engine (and its instance pool), opens
    /// the component cache and starts the epoch clock.
    pub fn new(config: WasmRuntimeConfig) -> Result<Self, SetupError> {
        let engine = crate::engine::build_engine(&config)?;
        let linker = host::linker(&engine).map_err(|e| SetupError::Engine(format!("{e:#}")))?;
        let components = ComponentRegistry::new(engine.clone(), linker, &config.cache_dir, &config.cache_key)?;
        Ok(Self { inner: Arc::new(Inner { engine, components }) })
    }

    /// How many components were compiled and how many loaded from the disk cache.
    pub fn stats(&self) -> ComponentStats {
        self.inner.components.stats()
    }

    /// Compiles (or loads from the cache) the guest at `entry_point` for `world` ahead of
    /// its first execution, so that the first execution does not pay for it. Also the way to
    /// check that a pack's component fits its world.
    pub async fn prepare(&self, entry_point: &Path, world: World) -> Result<(), SetupError> {
        self.inner.components.prepare(entry_point, world).await.map(drop)
    }

    /// What the instance pool holds now: instances in flight, warm slots and the bytes
    /// they keep resident.
    pub fn pool(&self) -> PoolUsage {
        PoolUsage::of(&self.inner.engine)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) async fn prepared(
        &self,
        entry_point: &Path,
        world: World,
        io: &ExecutionIo,
    ) -> Result<Prepared, Failure> {
        tokio::select! {
            biased;
            () = io.cancel.cancelled() => Err(limits::cancelled()),
            prepared = self.inner.components.prepare(entry_point, world) => {
                prepared.map_err(|e| Failure::new(FailureKind::SetupFailed, e.to_string()))
            }
        }
    }
}

impl std::fmt::Debug for WasmRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmRuntime").field("stats", &self.stats()).finish_non_exhaustive()
    }
}

#[async_trait]
impl Runtime for WasmRuntime {
    fn runner_types(&self) -> Vec<&'static str> {
        vec!["wasm"]
    }

    async fn execute(&self, request: ExecutionRequest, io: ExecutionIo) -> Outcome {
        let pre = match self.prepared(&request.entry_point, World::Action, &io).await {
            Ok(Prepared::Action(pre)) => pre,
            Ok(Prepared::Sensor(_)) => {
                return Outcome::failed(FailureKind::SetupFailed, "prepared for the wrong world");
            }
            Err(failure) => return Outcome::new(Err(failure)),
        };
        let call = ActionCall { pre, context: wit_context(&request.context), params: request.parameters.to_string() };
        let grants = Grants {
            secrets: request.secrets,
            pack_config: request.pack_config,
            kv: request.kv,
            allowed_hosts: request.allowed_hosts,
            requester: format!("action {} (execution {})", request.context.action_ref, request.context.execution_id),
        };
        let run = sandbox::run(self.engine(), call, grants, &request.limits, &io).await;
        Outcome {
            result: run.result,
            stdout: run.stdout,
            stderr: run.stderr,
            log: run.log,
            exit_code: None,
            metering: Some(run.metering),
            denied_secrets: run.denied_secrets,
            artifacts: run.artifacts,
        }
    }
}

fn wit_context(context: &ExecutionContext) -> types::Context {
    types::Context {
        execution_id: context.execution_id,
        action_ref: context.action_ref.clone(),
        pack_ref: context.pack_ref.clone(),
        attempt: context.attempt,
        rule_ref: context.rule_ref.clone(),
        trigger_ref: context.trigger_ref.clone(),
    }
}

/// One call of an action's `run`.
struct ActionCall {
    pre: ActionPre<HostState>,
    context: types::Context,
    params: String,
}

impl GuestCall for ActionCall {
    type Output = serde_json::Value;

    async fn call(self, store: &mut Store<HostState>) -> wasmtime::Result<Result<serde_json::Value, Failure>> {
        let action = match self.pre.instantiate_async(&mut *store).await {
            Ok(action) => action,
            Err(error) => return instantiation_failed(error),
        };
        let returned = action.call_run(&mut *store, &self.context, &self.params).await?;
        Ok(match returned {
            Ok(text) => parse_json_output(&text),
            Err(error) => Err(Failure::new(FailureKind::ActionError, error.message)),
        })
    }
}

/// A limit that fired while instantiating stays a limit (e.g. an initial memory larger than
/// allowed); anything else means the component could not be set up.
pub(crate) fn instantiation_failed<T>(error: wasmtime::Error) -> wasmtime::Result<Result<T, Failure>> {
    if limits::is_limit(&error) {
        return Err(error);
    }
    Ok(Err(Failure::new(FailureKind::SetupFailed, format!("cannot instantiate the component: {error:#}"))))
}

/// The action's result text as JSON, or an `invalid_output` failure quoting its start.
pub(crate) fn parse_json_output(text: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text).map_err(|error| {
        let mut preview: String = text.chars().take(200).collect();
        if preview.len() < text.len() {
            preview.push('…');
        }
        Failure::new(
            FailureKind::InvalidOutput,
            format!("the guest returned text that is not JSON ({error}): {preview:?}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_must_be_json() {
        assert_eq!(parse_json_output(r#"{"a":1}"#), Ok(serde_json::json!({"a": 1})));
        let failure = parse_json_output("not json").unwrap_err();
        assert_eq!(failure.kind, FailureKind::InvalidOutput);
        assert!(failure.message.contains("\"not json\""), "{}", failure.message);
        let long = "x".repeat(1000);
        assert!(parse_json_output(&long).unwrap_err().message.len() < 400);
    }
}
