//! The executor role: turns requested executions into scheduled ones and keeps the system
//! honest after crashes.
//!
//! Every state change is a conditional update in the store, so any number of executors can
//! run side by side and a duplicated message changes nothing: only one executor moves an
//! execution from `requested` to `scheduling`.
//!
//! Module plan:
//! - [`config`]: timings (liveness, staleness, how long an execution may wait for a worker).
//! - [`clock`]: the time those timings are judged against (injectable, for tests).
//! - [`faults`]: named points where a test stops the executor as a crash would.
//! - [`scheduler`]: `requested → scheduling → scheduled` onto a live worker that runs the
//!   action's runner type.
//! - [`policies`]: the checks an action's policies make at admission, and retries of
//!   failed attempts.
//! - [`reconciler`]: on start and periodically, re-drives executions left non-terminal (lost
//!   messages, dead executors, dead workers: `abandoned`, or queued again when the action is
//!   idempotent).
//! - [`recovery`]: the recovery rules, one per kind of waiting execution, each with the
//!   indexed query that finds its executions.
//! - [`role`]: the executor process loop: consume the executor queue, reconcile on a timer.

pub mod clock;
pub mod config;
pub mod faults;
pub mod policies;
pub mod reconciler;
pub mod recovery;
pub mod role;
pub mod scheduler;

pub use config::ExecutorConfig;
pub use reconciler::{ReconcileReport, Reconciler};
pub use role::run;
pub use scheduler::Scheduler;
