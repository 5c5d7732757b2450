//! Attune's REST API under `/api/v1` (SPEC §13).
//!
//! Handlers are thin: extract, call one service function, wrap the result in the envelope.
//! Every success is `{"data": ...}` (lists add `pagination`); every failure is
//! `{"error": {"code", "message"}}` with a stable machine-readable code and never a raw
//! database message.
//!
//! Module plan:
//! - [`state`]: what handlers share.
//! - [`error`]: [`ApiError`] and its mapping from service errors and extractor rejections.
//! - `extract`: JSON and query extractors whose rejections are API errors.
//! - `envelope`: the `data`/`pagination` envelopes and page parameters.
//! - `auth`: the bearer credential of a request, and the caller of routes that authenticate
//!   in their handlers.
//! - `throttle`: login attempts limited per client address and per login.
//! - `shedding`: new work refused (`503`) while the pipeline's backlog is at its limit.
//! - `deadline`: request bodies read within a deadline.
//! - [`rbac`]: the access table (what each route needs) and the layer that enforces it.
//! - `audit`: every change made through the API, and every key decryption asked of it,
//!   recorded by the access layer.
//! - [`openapi`]: the OpenAPI document, from the handlers' annotations and the access table.
//! - `routes`: one module per resource, each returning its own `Router`.

mod audit;
mod auth;
mod deadline;
mod envelope;
pub mod error;
mod extract;
pub mod openapi;
pub mod rbac;
mod routes;
mod shedding;
pub mod state;
mod throttle;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::{ApiState, HttpLimits};

/// The whole HTTP application: `/health` and `/api/v1`. Tests drive it without a socket.
pub fn app(state: ApiState) -> Router {
    let limits = state.limits.clone();
    with_limits(routes::router(state), limits)
}

/// The notifier role's application: `/health` and the live stream (`/api/v1/stream`) only,
/// so that long-lived WebSocket connections can be served apart from the REST API.
pub fn notifier_app(state: ApiState) -> Router {
    let limits = state.limits.clone();
    with_limits(routes::notifier_router(state), limits)
}

fn with_limits(router: Router, limits: HttpLimits) -> Router {
    let max_body = limits.max_body_bytes;
    router
        .layer(axum::middleware::from_fn_with_state(limits, deadline::read_body_within))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TraceLayer::new_for_http().on_failure(log_failure))
}

/// Logs a failed request, except a refusal to take more work (`503`): those come by the
/// thousand while the server sheds load, and the gate logs when it closes and opens.
fn log_failure(failure: ServerErrorsFailureClass, latency: std::time::Duration, _: &tracing::Span) {
    if !matches!(failure, ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE)) {
        tracing::error!(classification = %failure, latency_ms = latency.as_millis(), "response failed");
    }
}
