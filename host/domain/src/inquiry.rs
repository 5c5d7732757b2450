//! Inquiries: an execution waiting for a human answer.
//!
//! An action of runner type `inquiry` (the core pack's `core.ask`) runs no code: its
//! parameters are a [`Question`], the executor records it as an [`Inquiry`] and the
//! execution waits `pending` — holding no worker slot — until someone answers or its time
//! runs out.

use serde::{Deserialize, Serialize};

use crate::status::InquiryStatus;
use crate::{Id, Json, Timestamp};

/// Who may answer: the named identities and the holders of the named permission sets.
/// Holders of `inquiry:respond` on the pack may answer any inquiry of the pack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignees {
    /// Identity logins.
    #[serde(default)]
    pub identities: Vec<String>,
    /// Permission set refs (`operator`, `mypack.approvers`).
    #[serde(default)]
    pub permission_sets: Vec<String>,
}

impl Assignees {
    /// Whether nobody in particular is named (only grant holders may answer).
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty() && self.permission_sets.is_empty()
    }
}

/// A question, as an inquiry action's parameters give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// What is asked.
    pub prompt: String,
    /// JSON Schema the answer must satisfy (default: any object).
    #[serde(default = "any_object")]
    pub schema: Json,
    /// Who may answer.
    #[serde(default)]
    pub assigned_to: Assignees,
    /// Seconds to wait for an answer; none waits for ever.
    #[serde(default)]
    pub timeout_s: Option<i64>,
}

/// The longest an inquiry may wait: 30 days.
pub const MAX_TIMEOUT_S: i64 = 30 * 24 * 3600;

fn any_object() -> Json {
    serde_json::json!({"type": "object"})
}

impl Question {
    /// Reads a question from an execution's parameters.
    pub fn from_parameters(parameters: &Json) -> Result<Self, String> {
        let question: Self = serde_json::from_value(parameters.clone()).map_err(|e| e.to_string())?;
        if question.prompt.trim().is_empty() {
            return Err("prompt must not be empty".into());
        }
        if let Some(timeout) = question.timeout_s
            && !(1..=MAX_TIMEOUT_S).contains(&timeout)
        {
            return Err(format!("timeout_s must be between 1 and {MAX_TIMEOUT_S}, not {timeout}"));
        }
        Ok(question)
    }
}

/// A question asked by an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Inquiry {
    /// Unique id.
    pub id: Id,
    /// The waiting execution.
    pub execution: Option<Id>,
    /// The pack of the action that asked (grants of `inquiry:respond` are scoped by it).
    pub pack_ref: Option<String>,
    /// The question.
    pub prompt: String,
    /// JSON schema the answer must satisfy.
    pub response_schema: Json,
    /// Who may answer.
    #[sqlx(json)]
    pub assignees: Assignees,
    /// Where it is in its life.
    pub status: InquiryStatus,
    /// The answer, once given.
    pub response: Option<Json>,
    /// Who answered.
    pub responded_by: Option<String>,
    /// When it expires.
    pub timeout_at: Option<Timestamp>,
    /// When it was answered.
    pub responded_at: Option<Timestamp>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// An inquiry to create (status `pending`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewInquiry {
    /// The waiting execution.
    pub execution: Option<Id>,
    /// The asking action's pack.
    pub pack_ref: Option<String>,
    /// The question.
    pub prompt: String,
    /// JSON schema of the answer.
    pub response_schema: Json,
    /// Who may answer.
    pub assignees: Assignees,
    /// When it expires.
    pub timeout_at: Option<Timestamp>,
}

/// Narrows an inquiry list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InquiryFilter {
    /// In this status.
    pub status: Option<InquiryStatus>,
    /// Assigned to this identity login, by name or through one of `permission_sets`.
    pub assignee: Option<(String, Vec<String>)>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_question_needs_a_prompt_and_a_sane_timeout() {
        let question = Question::from_parameters(&json!({"prompt": "Deploy?"})).unwrap();
        assert_eq!(question.schema, json!({"type": "object"}));
        assert!(question.assigned_to.is_empty());
        assert!(Question::from_parameters(&json!({"prompt": " "})).is_err());
        assert!(Question::from_parameters(&json!({"prompt": "x", "timeout_s": 0})).is_err());
        let unknown = Question::from_parameters(&json!({"prompt": "x", "assigned_to": {"teams": ["a"]}}));
        assert!(unknown.unwrap_err().contains("teams"));
    }
}
