//! The contract between Attune's worker and the runtimes that run actions.
//!
//! The worker never matches on a language: it looks up the action's `runner_type` in a
//! [`RuntimeRegistry`] and hands the chosen [`Runtime`] an [`ExecutionRequest`]. Every runtime
//! (the wasmtime sandbox in `runtime-wasm`, the shell/python/node subprocess runners in
//! `runtime-native`) answers with an [`Outcome`] of the same shape, so that status mapping,
//! output storage and metering live in one place above them.
//!
//! Module plan:
//! - [`request`]: what a runtime is asked to run — parameters, granted secrets, pack config,
//!   context, the entry point on disk and the resolved [`Limits`].
//! - [`limits`]: defaults and hard caps from server config, and how an action's own `limits`
//!   may lower them but never exceed the caps.
//! - [`outcome`]: the result or a typed [`Failure`], captured output and [`Metering`].
//! - [`output`]: live output lines ([`OutputSink`]) and the bounded capture both runtimes use.
//! - [`artifact`]: files and links an action publishes, and the rules both runtimes apply.
//! - [`kv`]: the pack-scoped key-value handle actions and sensors read and write.
//! - [`registry`]: the [`Runtime`] trait and the registry the worker resolves runtimes from.

pub mod artifact;
pub mod kv;
pub mod limits;
pub mod outcome;
pub mod output;
pub mod registry;
pub mod request;

pub use artifact::{ArtifactContent, ArtifactRefused, ArtifactSet, PublishedArtifact};
pub use kv::{KvError, KvStore, MemoryKv};
pub use limits::{LimitPolicy, Limits, RequestedLimits};
pub use outcome::{Failure, FailureKind, Metering, Outcome, TerminalStatus};
pub use output::{BoundedCapture, CapturedText, NullSink, OutputLine, OutputSink, Stream};
pub use registry::{Runtime, RuntimeRegistry, UnknownRunner};
pub use request::{ExecutionContext, ExecutionIo, ExecutionRequest, OutputFormat};
