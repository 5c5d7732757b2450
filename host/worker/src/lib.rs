//! The worker role: runs the executions scheduled onto it.
//!
//! The worker never matches on a language: it looks the action's runner type up in the
//! [`RuntimeRegistry`](attune_runtime_api::RuntimeRegistry) it was built with and hands that
//! runtime a fully prepared request.
//!
//! Module plan:
//! - [`config`]: name, concurrency, heartbeat, limit policy, API URL.
//! - [`role`]: register, recover what a previous incarnation left, heartbeat, consume the
//!   worker's queue, route cancellations.
//! - `run`: one execution: claim (`scheduled → running`), prepare, run, record the result.
//! - `prepare`: turning a stored execution into a runtime request — parameters unsealed,
//!   granted secrets resolved and decrypted, limits resolved against the server's caps.
//! - `artifacts`: what an execution published, stored before its status turns terminal.
//! - `output`: output lines batched into the store as they are produced.
//! - `guard`: a panic while preparing or running an action ends that execution `failed`
//!   (`internal_error`) instead of leaving it running.

mod artifacts;
pub mod config;
mod guard;
mod output;
mod prepare;
pub mod role;
mod run;

pub use config::WorkerConfig;
pub use role::{RegisteredWorker, WorkerDeps, WorkerError, run, start};
