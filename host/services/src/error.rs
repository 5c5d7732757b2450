//! Failures of service calls.

use attune_packs::{PackError, Problem};
use attune_params::FieldError;
use attune_store::StoreError;

/// Why a service call failed. Every variant but [`ServiceError::Internal`] is the caller's
/// to fix, and its message is safe to show.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such entity.
    #[error("{entity} '{key}' not found")]
    NotFound {
        /// Kind of entity.
        entity: &'static str,
        /// Id or ref asked for.
        key: String,
    },
    /// Missing, wrong or expired credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Would break a uniqueness rule.
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// Fields of the request are invalid.
    #[error("{message}")]
    Validation {
        /// Summary.
        message: String,
        /// Each offending field.
        fields: Vec<FieldError>,
    },
    /// A pack's files are invalid; nothing was stored.
    #[error("{message}")]
    InvalidPack {
        /// Summary.
        message: String,
        /// Each problem, with its file.
        problems: Vec<Problem>,
    },
    /// Something broke inside; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// A validation failure about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ServiceError::Validation {
            message: format!("{field}: {message}"),
            fields: vec![FieldError { field: field.to_owned(), message }],
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { entity, key } => ServiceError::NotFound { entity, key },
            StoreError::Conflict(message) => ServiceError::Conflict(message),
            StoreError::UnknownReference(message) => ServiceError::Validation { message, fields: Vec::new() },
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<PackError> for ServiceError {
    fn from(error: PackError) -> Self {
        match error {
            PackError::Invalid { dir, problems } => ServiceError::InvalidPack {
                message: format!(
                    "pack at {dir} is invalid: {}",
                    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
                ),
                problems,
            },
            PackError::Store(store) => store.into(),
        }
    }
}
