//! Inquiries: an execution waiting for a human answer.

use serde::{Deserialize, Serialize};

use crate::status::InquiryStatus;
use crate::{Id, Json, Timestamp};

/// A question asked by an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Inquiry {
    /// Unique id.
    pub id: Id,
    /// The waiting execution.
    pub execution: Option<Id>,
    /// The question.
    pub prompt: String,
    /// JSON schema the answer must satisfy.
    pub response_schema: Json,
    /// Who should answer.
    pub assigned_to: Option<Id>,
    /// Where it is in its life.
    pub status: InquiryStatus,
    /// The answer, once given.
    pub response: Option<Json>,
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
    /// The question.
    pub prompt: String,
    /// JSON schema of the answer.
    pub response_schema: Json,
    /// Who should answer.
    pub assigned_to: Option<Id>,
    /// When it expires.
    pub timeout_at: Option<Timestamp>,
}
