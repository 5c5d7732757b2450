//! What can go wrong in a client command, and the exit code each means.
//!
//! Exit codes are part of the CLI's contract (docs/cli.md): scripts branch on them.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success; for `action run` and `execution tail`: the execution completed |
//! | 1 | the server refused the request (validation, not found, conflict), or a local file problem |
//! | 2 | bad usage: unknown flag, malformed `key=value`, a value of the wrong type |
//! | 3 | the server could not be reached |
//! | 4 | authentication or authorization failed (wrong password, expired or missing credential, no grant) |
//! | 10 | the execution failed |
//! | 11 | the execution timed out |
//! | 12 | the execution was cancelled |
//! | 13 | the execution was abandoned (its worker went away) |

use std::fmt;

/// A failed client command.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad usage: what was given cannot be sent.
    #[error("{0}")]
    Usage(String),
    /// The server could not be reached.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The server's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server refused the credential (401) or the caller lacks a grant (403).
    #[error("{0}")]
    Auth(Refusal),
    /// The server refused the request otherwise.
    #[error("{0}")]
    Refused(Refusal),
    /// A local problem: a file that cannot be read or written, an unexpected answer.
    #[error("{0}")]
    Local(String),
    /// The execution ended, but not `completed`.
    #[error("execution {id} {status}")]
    Ended {
        /// The execution.
        id: i64,
        /// `failed`, `timeout`, `cancelled` or `abandoned`.
        status: String,
    },
}

/// An error answer of the API: its HTTP status and `{"error": {code, message, details}}`.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// The error's `code`.
    pub code: String,
    /// The error's message.
    pub message: String,
    /// Field errors and other details, when the server gave them.
    pub details: Option<serde_json::Value>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)?;
        // Validation errors name their fields, pack problems their files: one line each.
        for (list, at) in [("fields", "field"), ("problems", "file")] {
            let entries = self.details.as_ref().and_then(|d| d.get(list)).and_then(|l| l.as_array());
            for entry in entries.into_iter().flatten() {
                let message = entry.get("message").and_then(|v| v.as_str()).unwrap_or_default();
                match entry.get(at).and_then(|v| v.as_str()).filter(|at| !at.is_empty()) {
                    Some(at) => write!(f, "\n  {at}: {message}")?,
                    None => write!(f, "\n  {message}")?,
                }
            }
        }
        Ok(())
    }
}

impl Failure {
    /// The process exit code this failure means.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Refused(_) | Self::Local(_) => 1,
            Self::Usage(_) => 2,
            Self::Unreachable { .. } => 3,
            Self::Auth(_) => 4,
            Self::Ended { status, .. } => match status.as_str() {
                "timeout" => 11,
                "cancelled" => 12,
                "abandoned" => 13,
                _ => 10,
            },
        }
    }

    /// A local problem with a file, naming it.
    pub fn file(path: &std::path::Path, problem: impl fmt::Display) -> Self {
        Self::Local(format!("{}: {problem}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(status: u16) -> Refusal {
        Refusal { status, code: "x".into(), message: "m".into(), details: None }
    }

    #[test]
    fn each_kind_has_its_documented_code() {
        assert_eq!(Failure::Refused(refusal(404)).exit_code(), 1);
        assert_eq!(Failure::Usage("u".into()).exit_code(), 2);
        assert_eq!(Failure::Unreachable { url: "u".into(), reason: "r".into() }.exit_code(), 3);
        assert_eq!(Failure::Auth(refusal(401)).exit_code(), 4);
        for (status, code) in [("failed", 10), ("timeout", 11), ("cancelled", 12), ("abandoned", 13)] {
            assert_eq!(Failure::Ended { id: 1, status: status.into() }.exit_code(), code);
        }
    }

    #[test]
    fn a_validation_refusal_lists_its_fields() {
        let refusal = Refusal {
            status: 422,
            code: "validation_failed".into(),
            message: "invalid parameters".into(),
            details: Some(serde_json::json!({"fields": [{"field": "count", "message": "expected integer"}]})),
        };
        assert_eq!(refusal.to_string(), "validation_failed (422): invalid parameters\n  count: expected integer");
    }
}
