//! Attune's subprocess runtimes: shell, Python and Node.js actions (SPEC §7).
//!
//! An action runs as a child process in its own process group, with a clean environment
//! (`PATH`, `HOME`, `LANG` and the `ATTUNE_*` variables only). Its parameters, granted
//! secrets, context and pack config arrive as one JSON document on stdin, never in the
//! environment or argv, so that nothing secret shows in `/proc/<pid>/environ` or `cmdline`.
//! stdout becomes the result according to the action's `output_format`.
//!
//! What differs between languages is small and lives behind [`ScriptLanguage`]: which
//! interpreter to start, which per-pack environment to build first (a virtualenv from
//! `requirements.txt`, `node_modules` from `package.json`) and, for shell scripts, the
//! `PARAM_*`/`SECRET_*` variables. Everything else — building the input, supervising the
//! process, mapping its end to an [`attune_runtime_api::Outcome`] — is shared.
//!
//! Module plan:
//! - [`config`]: [`NativeConfig`], the settings the worker passes in.
//! - [`process`]: spawning and supervision — exit, timeout, cancellation and output limits
//!   raced in one place, SIGTERM then SIGKILL to the whole process group, every child
//!   reaped. Reusable by anything that runs a supervised child (a native sensor, too).
//! - [`environment`]: per-pack environments built under a file lock and rebuilt when the
//!   file they come from changes.
//! - [`toolchain`]: interpreters resolved once, plus the environments; shared by the three
//!   runtimes.
//! - [`language`]: the [`ScriptLanguage`] trait and the shell, Python and Node
//!   implementations.
//! - [`runtime`]: [`ScriptRuntime`], the [`attune_runtime_api::Runtime`] they share, and
//!   [`NativeRuntimes`], the constructor the worker calls.
//! - [`artifacts`]: files the action leaves in `ATTUNE_ARTIFACTS_DIR`, collected as its
//!   artifacts once it has ended.
//! - `input`, `result`: the stdin document and environment in, the outcome out.
//! - [`error`]: why an action could not be started.
//!
//! The worker builds the three runtimes from its configuration and registers them:
//!
//! ```
//! # use attune_runtime_api::RuntimeRegistry;
//! # use attune_runtime_native::{NativeConfig, NativeRuntimes};
//! let mut registry = RuntimeRegistry::new();
//! NativeRuntimes::new(NativeConfig::with_envs_dir("/var/lib/attune/envs"))
//!     .register_into(&mut registry);
//! assert_eq!(registry.runner_types(), ["node", "python", "shell"]);
//! ```
//!
//! A native sensor (a long-running script printing one JSON event per line) reuses the
//! same pieces: the language prepares the launch (interpreter, pack environment), and the
//! supervisor runs it without a timeout or output limit, every stdout line going to the
//! sink; when it ends, the sensor service starts it again after a back-off.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use attune_runtime_api::{ExecutionContext, OutputSink};
//! # use attune_runtime_native::{process, *};
//! # async fn sensor(runtimes: &NativeRuntimes, context: &ExecutionContext,
//! #     pack_dir: &std::path::Path, script: &std::path::Path,
//! #     events: Arc<dyn OutputSink>, stop: tokio_util::sync::CancellationToken,
//! # ) -> Result<Supervised, Box<dyn std::error::Error>> {
//! let toolchain = runtimes.toolchain();
//! let language = NativeRuntimes::language("python").expect("a native runner type");
//! let target = ScriptTarget { pack_ref: &context.pack_ref, pack_dir, entry_point: script };
//! let setup = SetupIo { output: events.clone(), cancel: stop.clone(), output_limit: 1 << 20 };
//! let launch = language.prepare(toolchain, &target, &setup).await?;
//! let config = b"{\"config\": {}}\n".to_vec();
//! let spec = launch.into_spec(toolchain, attune_variables(context), pack_dir, config);
//! let policy = SupervisionPolicy {
//!     timeout: None,
//!     grace_period: toolchain.config().grace_period(),
//!     output_limit: None,
//! };
//! Ok(process::run(spec, &policy, events, &stop).await?)
//! # }
//! ```

pub mod artifacts;
pub mod config;
pub mod environment;
pub mod error;
mod input;
pub mod language;
pub mod process;
mod result;
pub mod runtime;
pub mod sandbox;
pub mod toolchain;

pub use config::{Interpreters, NativeConfig};
pub use error::SetupError;
pub use input::{ActionInput, attune_variables};
pub use language::{Launch, ScriptLanguage, ScriptTarget};
pub use process::{Ending, ProcessSpec, Supervised, SupervisionPolicy};
pub use runtime::{NativeRuntimes, ScriptRuntime};
pub use sandbox::{Exposure, NativeLimits, Sandbox, SandboxConfig, SandboxError, SandboxStatus};
pub use toolchain::{SetupIo, Toolchain};
