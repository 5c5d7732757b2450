//! The runtime trait and the registry the worker resolves runtimes from.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::outcome::Outcome;
use crate::request::{ExecutionIo, ExecutionRequest};

/// Something that can run actions of one or more runner types.
#[async_trait]
pub trait Runtime: Send + Sync {
    /// The `runner_type` values this runtime executes (e.g. `["wasm"]`).
    fn runner_types(&self) -> Vec<&'static str>;

    /// Runs one execution to its end. Never panics on guest or action misbehaviour: every
    /// failure comes back as an [`Outcome`] with a typed [`crate::Failure`].
    async fn execute(&self, request: ExecutionRequest, io: ExecutionIo) -> Outcome;
}

/// No runtime is registered for a runner type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no runtime on this worker runs actions of runner type '{0}'")]
pub struct UnknownRunner(pub String);

/// Runner type → runtime.
#[derive(Default, Clone)]
pub struct RuntimeRegistry {
    by_runner: BTreeMap<String, Arc<dyn Runtime>>,
}

impl RuntimeRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `runtime` for each of its runner types (a later registration wins).
    pub fn register(&mut self, runtime: Arc<dyn Runtime>) -> &mut Self {
        for runner in runtime.runner_types() {
            self.by_runner.insert(runner.to_owned(), runtime.clone());
        }
        self
    }

    /// The runtime for `runner_type`.
    pub fn get(&self, runner_type: &str) -> Result<Arc<dyn Runtime>, UnknownRunner> {
        self.by_runner.get(runner_type).cloned().ok_or_else(|| UnknownRunner(runner_type.to_owned()))
    }

    /// Every runner type this registry can run, sorted (what a worker advertises).
    pub fn runner_types(&self) -> Vec<String> {
        self.by_runner.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    struct Echo;

    #[async_trait]
    impl Runtime for Echo {
        fn runner_types(&self) -> Vec<&'static str> {
            vec!["echo", "echo2"]
        }
        async fn execute(&self, request: ExecutionRequest, _io: ExecutionIo) -> Outcome {
            Outcome::new(Ok(request.parameters))
        }
    }

    #[test]
    fn resolves_by_runner_type() {
        let mut registry = RuntimeRegistry::new();
        registry.register(Arc::new(Echo));
        assert_eq!(registry.runner_types(), vec!["echo", "echo2"]);
        assert!(registry.get("echo2").is_ok());
        assert_eq!(registry.get("wasm").err(), Some(UnknownRunner("wasm".into())));
    }
}
