//! Why an execution did not complete: a typed kind and a message for its reader.
//!
//! Every failure an execution records — from a runtime (fuel, memory, a trap), from the
//! worker (setup, a panic) or from the executor (abandoned, unschedulable) — is one of these
//! kinds, stored as `result.error = {"kind", "message"}`. Nobody builds that JSON by hand.

use serde::{Deserialize, Serialize};

use crate::status::ExecutionStatus;

/// Why an execution did not complete. Serialized in snake case as `result.error.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// WASM: the guest used all its fuel.
    FuelExhausted,
    /// WASM: the guest tried to grow memory past its limit. Native: the process tree used
    /// more memory than its limit.
    MemoryLimit,
    /// Native: the process tree reached its limit of processes and threads (a fork bomb).
    ProcessLimit,
    /// Native: a process used more CPU time than its limit.
    CpuLimit,
    /// The wall-clock limit passed.
    Timeout,
    /// WASM: the guest trapped (unreachable, out-of-bounds access, stack overflow...).
    Trap,
    /// The action reported an error itself (WASM `err(...)`).
    ActionError,
    /// The action's output is not what its `output_format`/WIT contract promises.
    InvalidOutput,
    /// Native: the process exited with a non-zero code.
    NonzeroExit,
    /// The execution was cancelled by a user.
    Cancelled,
    /// The runtime could not start the action (missing interpreter, invalid component,
    /// dependency installation failed...).
    SetupFailed,
    /// A fault inside Attune (a panic while running the action); logged, and the execution
    /// ends rather than staying `running`.
    InternalError,
    /// Its worker stopped responding while it ran; nobody knows how far it got.
    Abandoned,
    /// No live worker runs its runner type, and it waited too long for one.
    Unschedulable,
    /// A workflow: one of its tasks failed and no transition handled the failure.
    TaskFailed,
}

impl FailureKind {
    /// The execution status a failure of this kind ends in.
    pub fn status(self) -> ExecutionStatus {
        match self {
            FailureKind::Timeout => ExecutionStatus::Timeout,
            FailureKind::Cancelled => ExecutionStatus::Cancelled,
            FailureKind::Abandoned => ExecutionStatus::Abandoned,
            _ => ExecutionStatus::Failed,
        }
    }

    /// The stored and serialized name (`fuel_exhausted`...).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::FuelExhausted => "fuel_exhausted",
            FailureKind::MemoryLimit => "memory_limit",
            FailureKind::ProcessLimit => "process_limit",
            FailureKind::CpuLimit => "cpu_limit",
            FailureKind::Timeout => "timeout",
            FailureKind::Trap => "trap",
            FailureKind::ActionError => "action_error",
            FailureKind::InvalidOutput => "invalid_output",
            FailureKind::NonzeroExit => "nonzero_exit",
            FailureKind::Cancelled => "cancelled",
            FailureKind::SetupFailed => "setup_failed",
            FailureKind::InternalError => "internal_error",
            FailureKind::Abandoned => "abandoned",
            FailureKind::Unschedulable => "unschedulable",
            FailureKind::TaskFailed => "task_failed",
        }
    }
}

/// A typed failure with a message meant for the person reading the execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// What went wrong, machine-readable.
    pub kind: FailureKind,
    /// What went wrong, human-readable.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` with `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl Failure {
    /// The result document of an execution that ended with this failure:
    /// `{"error": {"kind", "message"}}`.
    pub fn result_document(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serialized_names() {
        for kind in [FailureKind::FuelExhausted, FailureKind::InternalError, FailureKind::Unschedulable] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn kinds_name_their_status_and_document() {
        let failure = Failure::new(FailureKind::Unschedulable, "no worker runs 'wasm'");
        assert_eq!(failure.kind.status(), ExecutionStatus::Failed);
        assert_eq!(
            failure.result_document(),
            serde_json::json!({"error": {"kind": "unschedulable", "message": "no worker runs 'wasm'"}})
        );
        assert_eq!(FailureKind::Abandoned.status(), ExecutionStatus::Abandoned);
        assert_eq!(FailureKind::Timeout.status(), ExecutionStatus::Timeout);
        assert_eq!(Failure::new(FailureKind::MemoryLimit, "grew").to_string(), "memory_limit: grew");
    }
}
