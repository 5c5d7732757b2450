//! Request bodies arrive within a deadline, or the request is answered `408`.
//!
//! A client that sends its body a byte at a time would otherwise hold a connection, a task
//! and a buffer for as long as it likes; many such clients exhaust the server. The deadline
//! covers the whole body, not the gap between two chunks. The body is read here, bounded by
//! the same size limit the extractors apply, and handed on whole.

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::HttpLimits;

/// Middleware: reads a request's body within `limits.body_timeout`.
pub async fn read_body_within(State(limits): State<HttpLimits>, request: Request, next: Next) -> Response {
    if !has_body(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(limits.body_timeout, axum::body::to_bytes(body, limits.max_body_bytes)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(error)) if is_too_large(&error) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {} bytes", limits.max_body_bytes),
        )
        .into_response(),
        Ok(Err(_)) => ApiError::bad_request("the request body could not be read").into_response(),
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("the request body did not arrive within {} s", limits.body_timeout.as_secs_f64()),
        )
        .into_response(),
    }
}

/// Whether anything is left to read (hyper knows when a request has no body).
fn has_body(request: &Request) -> bool {
    !request.body().is_end_stream()
}

fn is_too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}
