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
//!
//! Every request runs in a span (`http.request`) that continues the caller's W3C
//! `traceparent`, if valid, so that the execution or event it creates joins the caller's
//! trace (see `attune_telemetry::trace`).

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
        .layer(TraceLayer::new_for_http().make_span_with(request_span).on_failure(log_failure))
}

/// The span of one request: a child of the caller's trace when it sent a valid
/// `traceparent` header, else the root of a new trace. Named by the route's template, never
/// by the raw path a caller chose.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request.extensions().get::<axum::extract::MatchedPath>().map_or("unmatched", |path| path.as_str());
    let span = tracing::info_span!(
        "http.request",
        method = %request.method(),
        route,
        trace_id = tracing::field::Empty,
    );
    let parent = request
        .headers()
        .get(attune_telemetry::trace::HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(attune_telemetry::trace::TraceParent::parse);
    attune_telemetry::trace::continue_trace(&span, parent.as_ref());
    span
}

/// Logs a failed request, except a refusal to take more work (`503`): those come by the
/// thousand while the server sheds load, and the gate logs when it closes and opens.
fn log_failure(failure: ServerErrorsFailureClass, latency: std::time::Duration, _: &tracing::Span) {
    if !matches!(failure, ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE)) {
        tracing::error!(classification = %failure, latency_ms = latency.as_millis(), "response failed");
    }
}
