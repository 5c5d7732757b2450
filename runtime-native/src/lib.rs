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
//! - `input`, `result`: the stdin document and environment in, the outcome out.
//! - [`error`]: why an action could not be started.

pub mod config;
pub mod environment;
pub mod error;
mod input;
pub mod language;
pub mod process;
mod result;
pub mod runtime;
pub mod toolchain;

pub use config::{Interpreters, NativeConfig};
pub use error::SetupError;
pub use input::{ActionInput, attune_variables};
pub use language::{Launch, ScriptLanguage, ScriptTarget};
pub use process::{Ending, ProcessSpec, Supervised, SupervisionPolicy};
pub use runtime::{NativeRuntimes, ScriptRuntime};
pub use toolchain::{SetupIo, Toolchain};
