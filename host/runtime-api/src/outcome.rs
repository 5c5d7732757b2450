//! How an execution ended, in the same shape for every runtime.

use serde::{Deserialize, Serialize};

use crate::artifact::PublishedArtifact;
use crate::output::CapturedText;

pub use attune_domain::failure::{Failure, FailureKind};

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
    /// Files and links the action published, already checked against the artifact rules.
    pub artifacts: Vec<PublishedArtifact>,
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
            artifacts: Vec::new(),
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
            Err(failure) => match failure.kind {
                FailureKind::Timeout => TerminalStatus::Timeout,
                FailureKind::Cancelled => TerminalStatus::Cancelled,
                _ => TerminalStatus::Failed,
            },
        }
    }

    /// The result document stored on the execution: the action's value when it completed,
    /// `{"error": {"kind", "message"}}` otherwise.
    pub fn result_document(&self) -> serde_json::Value {
        match &self.result {
            Ok(value) => value.clone(),
            Err(failure) => failure.result_document(),
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
