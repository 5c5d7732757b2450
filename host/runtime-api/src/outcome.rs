//! How an execution ended, in the same shape for every runtime.

use serde::{Deserialize, Serialize};

use crate::output::CapturedText;

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
}

impl FailureKind {
    /// The execution status this failure ends in.
    pub fn terminal_status(self) -> TerminalStatus {
        match self {
            FailureKind::Timeout => TerminalStatus::Timeout,
            FailureKind::Cancelled => TerminalStatus::Cancelled,
            _ => TerminalStatus::Failed,
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
        write!(
            f,
            "{}: {}",
            serde_json::to_value(self.kind).unwrap_or_default().as_str().unwrap_or("failure"),
            self.message
        )
    }
}

/// The terminal execution status an outcome maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalStatus {
    /// The action succeeded.
    Completed,
    /// The action failed.
    Failed,
    /// The wall-clock limit passed.
    Timeout,
    /// A user cancelled it.
    Cancelled,
}

/// Resources an execution used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Metering {
    /// WASM: fuel consumed by the guest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_consumed: Option<u64>,
    /// Native: CPU time (user and system) of the whole process tree, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<u64>,
    /// WASM: largest linear memory size reached. Native: largest memory of the process
    /// tree seen (its anonymous memory, or one process's resident set). In bytes.
    pub peak_memory_bytes: u64,
    /// Wall-clock time of the execution, in milliseconds.
    pub wall_ms: u64,
}

/// Everything a runtime reports when an execution ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The action's result (a JSON value) or why there is none.
    pub result: Result<serde_json::Value, Failure>,
    /// Captured standard output (bounded).
    pub stdout: CapturedText,
    /// Captured standard error (bounded).
    pub stderr: CapturedText,
    /// Captured log lines written through the WIT `log` interface (bounded; empty for
    /// native runtimes).
    pub log: CapturedText,
    /// Native: the process exit code, when it exited on its own.
    pub exit_code: Option<i32>,
    /// Resources used.
    pub metering: Option<Metering>,
    /// Secret names the action asked for without being granted them (audited).
    pub denied_secrets: Vec<String>,
}

impl Outcome {
    /// An outcome with `result` and nothing captured.
    pub fn new(result: Result<serde_json::Value, Failure>) -> Self {
        Self {
            result,
            stdout: CapturedText::default(),
            stderr: CapturedText::default(),
            log: CapturedText::default(),
            exit_code: None,
            metering: None,
            denied_secrets: Vec::new(),
        }
    }

    /// A failed outcome with nothing captured.
    pub fn failed(kind: FailureKind, message: impl Into<String>) -> Self {
        Self::new(Err(Failure::new(kind, message)))
    }

    /// The execution status this outcome ends in.
    pub fn status(&self) -> TerminalStatus {
        match &self.result {
            Ok(_) => TerminalStatus::Completed,
            Err(failure) => failure.kind.terminal_status(),
        }
    }

    /// The result document stored on the execution: the action's value when it completed,
    /// `{"error": {"kind", "message"}}` otherwise.
    pub fn result_document(&self) -> serde_json::Value {
        match &self.result {
            Ok(value) => value.clone(),
            Err(failure) => serde_json::json!({ "error": failure }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_map_to_statuses_and_documents() {
        let timeout = Outcome::failed(FailureKind::Timeout, "took longer than 5s");
        assert_eq!(timeout.status(), TerminalStatus::Timeout);
        assert_eq!(
            timeout.result_document(),
            serde_json::json!({"error": {"kind": "timeout", "message": "took longer than 5s"}})
        );
        assert_eq!(Outcome::failed(FailureKind::FuelExhausted, "x").status(), TerminalStatus::Failed);
        assert_eq!(Outcome::failed(FailureKind::Cancelled, "x").status(), TerminalStatus::Cancelled);
        assert_eq!(Outcome::new(Ok(serde_json::json!(1))).status(), TerminalStatus::Completed);
        assert_eq!(Failure::new(FailureKind::MemoryLimit, "grew").to_string(), "memory_limit: grew");
    }
}
