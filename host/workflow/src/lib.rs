//! The workflow engine (SPEC §9): runs a [`WorkflowGraph`](attune_domain::graph::WorkflowGraph)
//! one step at a time.
//!
//! A step takes the run's persisted state and the task runs whose child executions ended
//! since the last step, and decides everything that follows from them: which runs are
//! retried, which tasks end (their transitions evaluated, variables published), which
//! tasks start (children to create, items to iterate), and whether the workflow ends. The
//! caller writes the whole step in one transaction, so a crash either loses the step (it is
//! computed again from the same inputs) or keeps all of it — never half — and no task
//! runs twice. The engine itself does no I/O but through [`Host`]: it is deterministic in
//! its inputs, which is what makes redoing a lost step safe.
//!
//! Memory stays bounded by the in-flight window, not by the items: a `with` task's items
//! are written as runs when it starts, and each step reads only the next ones to launch.
//!
//! Module plan:
//! - [`state`]: the engine's persisted state of one run (each task's progress).
//! - [`host`]: what the engine asks of its caller (children, items, the datastore, time).
//! - `scope`: the template scope of a task: `input`, `vars`, `item()`, `result()`,
//!   `succeeded()`, `failed()`.
//! - [`step`]: one step: finished runs in, a [`Step`] out.

pub mod host;
mod scope;
pub mod state;
pub mod step;

pub use host::{Host, HostError, Launch, WaitingItem};
pub use state::{RunState, TaskState, TaskStatus};
pub use step::{End, Finished, Step, TaskRunPlan, step};
