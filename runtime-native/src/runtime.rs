//! The [`Runtime`] the three languages share, and the constructor the worker calls.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use attune_runtime_api::{
    ExecutionIo, ExecutionRequest, FailureKind, Outcome, OutputLine, Runtime, RuntimeRegistry, Stream,
};

use crate::config::NativeConfig;
use crate::error::SetupError;
use crate::input::{ActionInput, attune_variables};
use crate::language::{Node, Python, ScriptLanguage, ScriptTarget, Shell};
use crate::process::{self, SupervisionPolicy};
use crate::result::{self, Ended};
use crate::sandbox::Confined;
use crate::toolchain::{SetupIo, Toolchain};

/// Runs actions of one [`ScriptLanguage`] as supervised subprocesses.
#[derive(Clone)]
pub struct ScriptRuntime {
    language: Arc<dyn ScriptLanguage>,
    toolchain: Arc<Toolchain>,
}

impl std::fmt::Debug for ScriptRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptRuntime").field("runner_type", &self.language.runner_type()).finish_non_exhaustive()
    }
}

impl ScriptRuntime {
    /// A runtime for `language` sharing `toolchain` (interpreters, environments).
    pub fn new(language: Arc<dyn ScriptLanguage>, toolchain: Arc<Toolchain>) -> Self {
        Self { language, toolchain }
    }

    /// Everything up to the spawn: interpreter, environment, input, and the process
    /// confined as the sandbox says.
    async fn prepare(&self, request: &ExecutionRequest, io: &ExecutionIo) -> Result<Confined, SetupError> {
        // Real paths: a bare file name would be looked up on PATH by `bash -c '. x'`, and
        // the sandbox shows the pack at the path it really has.
        let missing = || SetupError::EntryPointMissing(request.entry_point.clone());
        let entry_point = std::fs::canonicalize(&request.entry_point).map_err(|_| missing())?;
        if !entry_point.is_file() {
            return Err(missing());
        }
        let pack_dir = std::fs::canonicalize(&request.pack_dir).map_err(|_| missing())?;
        let target =
            ScriptTarget { pack_ref: &request.context.pack_ref, pack_dir: &pack_dir, entry_point: &entry_point };
        let setup =
            SetupIo { output: io.output.clone(), cancel: io.cancel.clone(), output_limit: request.limits.output_bytes };
        let launch = self.language.prepare(&self.toolchain, &target, &setup).await?;
        let input = ActionInput::of(request);
        let mut stdin = self.language.stdin_preamble(&input).unwrap_or_default();
        stdin.extend(input.to_document());
        let exposure = launch.exposure(&pack_dir);
        let spec = launch.into_spec(&self.toolchain, attune_variables(&request.context), &pack_dir, stdin);
        let limits = self.toolchain.config().sandbox.limits.resolve(&request.requested_limits);
        Ok(self.toolchain.sandbox().confine_action(spec, &exposure, &limits, request.limits.artifact_bytes)?)
    }
}

#[async_trait]
impl Runtime for ScriptRuntime {
    fn runner_types(&self) -> Vec<&'static str> {
        vec![self.language.runner_type()]
    }

    async fn execute(&self, request: ExecutionRequest, io: ExecutionIo) -> Outcome {
        let confined = match self.prepare(&request, &io).await {
            Ok(confined) => confined,
            Err(SetupError::Cancelled) => {
                return Outcome::failed(FailureKind::Cancelled, SetupError::Cancelled.to_string());
            }
            Err(error) => {
                tracing::warn!(action = %request.context.action_ref, %error, "action could not be started");
                return Outcome::failed(FailureKind::SetupFailed, error.to_string());
            }
        };
        let policy = SupervisionPolicy {
            timeout: Some(request.limits.timeout),
            grace_period: self.toolchain.config().grace_period(),
            output_limit: Some(request.limits.output_bytes),
        };
        let Confined { spec, report, artifacts } = confined;
        let program = spec.program.clone();
        let started = Instant::now();
        let run = match process::run(spec, &policy, io.output.clone(), &io.cancel).await {
            Ok(run) => run,
            Err(source) => {
                return Outcome::failed(FailureKind::SetupFailed, SetupError::Spawn { program, source }.to_string());
            }
        };
        let report = report.read();
        let collected = artifacts.collect(report.as_ref());
        let (artifacts, problems) = crate::artifacts::publish(collected, request.limits.artifact_bytes);
        for problem in problems {
            io.output.emit(OutputLine { stream: Stream::Stderr, level: None, text: format!("attune: {problem}") });
        }
        let ended = Ended { run, report, wall: started.elapsed() };
        let limits = self.toolchain.config().sandbox.limits.resolve(&request.requested_limits);
        let mut outcome = result::outcome(ended, request.output_format, &request.limits, &limits);
        outcome.artifacts = artifacts;
        outcome
    }
}

/// The shell, Python and Node.js runtimes of one worker, sharing one [`Toolchain`].
#[derive(Debug, Clone)]
pub struct NativeRuntimes {
    toolchain: Arc<Toolchain>,
}

impl NativeRuntimes {
    /// The runtimes configured by `config`. Cheap: interpreters are looked up and
    /// environments built when an action first needs them.
    pub fn new(config: NativeConfig) -> Self {
        Self { toolchain: Arc::new(Toolchain::new(config)) }
    }

    /// The shared interpreters and environments (what a native sensor service needs to
    /// start a script the same way).
    pub fn toolchain(&self) -> &Arc<Toolchain> {
        &self.toolchain
    }

    /// The language of `runner_type` (`shell`, `python`, `node`).
    pub fn language(runner_type: &str) -> Option<Arc<dyn ScriptLanguage>> {
        Self::languages().into_iter().find(|language| language.runner_type() == runner_type)
    }

    /// `shell`, `python` and `node` runtimes.
    pub fn runtimes(&self) -> Vec<Arc<dyn Runtime>> {
        Self::languages()
            .into_iter()
            .map(|language| Arc::new(ScriptRuntime::new(language, self.toolchain.clone())) as Arc<dyn Runtime>)
            .collect()
    }

    /// Registers the three runtimes in `registry`.
    pub fn register_into(&self, registry: &mut RuntimeRegistry) {
        for runtime in self.runtimes() {
            registry.register(runtime);
        }
    }

    fn languages() -> [Arc<dyn ScriptLanguage>; 3] {
        [Arc::new(Shell), Arc::new(Python), Arc::new(Node)]
    }
}
