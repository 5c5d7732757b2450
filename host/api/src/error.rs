//! API errors: a status, a stable code and a message safe to show.

use attune_services::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// An error answered to a client.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (`not_found`, `validation_failed`...).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Structured details (offending fields, pack problems), when any.
    pub details: Option<Value>,
    /// Seconds after which trying again may succeed (`Retry-After`), when known.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error without details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: None, retry_after: None }
    }

    /// 429 `too_many_requests`, to be tried again after `wait`.
    pub fn too_many_requests(message: impl Into<String>, wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self { retry_after: Some(seconds), ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message) }
    }

    /// 503 `overloaded`: the server sheds new work for now; try again after `wait`.
    pub fn overloaded(message: impl Into<String>, wait: std::time::Duration) -> Self {
        Self { status: StatusCode::SERVICE_UNAVAILABLE, code: "overloaded", ..Self::too_many_requests(message, wait) }
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let message = error.to_string();
        match error {
            ServiceError::NotFound { .. } => Self::not_found(message),
            ServiceError::Unauthenticated(_) => Self::unauthorized(message),
            ServiceError::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, "forbidden", message),
            ServiceError::Conflict(_) => Self::new(StatusCode::CONFLICT, "conflict", message),
            ServiceError::BadRequest(_) => Self::bad_request(message),
            ServiceError::Validation { fields, .. } => Self {
                details: Some(json!({ "fields": fields })),
                ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", message)
            },
            ServiceError::InvalidPack { problems, .. } => Self {
                details: Some(json!({ "problems": problems })),
                ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_pack", message)
            },
            ServiceError::Internal(cause) => {
                // The cause may hold database details: log it, never send it.
                tracing::error!(%cause, "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

/// The body of every error: `{"error": {"code", "message", "details"?}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`not_found`, `forbidden`, `validation_failed`...).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Structured details (offending `fields`, pack `problems`), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = ErrorDetail { code: self.code, message: self.message, details: self.details };
        let mut response = (self.status, Json(ErrorBody { error })).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
