//! The operators' routes: `GET /health` (a summary, with a store round trip), the probes
//! `GET /health/live` and `GET /health/ready`, and `GET /metrics` (Prometheus), the last
//! three answered by `attune_telemetry::ops` as in every role.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/health", get(health))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(health, live, ready, metrics))]
pub struct Doc;

/// The server's health.
#[derive(Serialize, ToSchema)]
struct Health {
    /// `ok`, or `degraded` when the store is unreachable.
    status: &'static str,
    /// The server's version.
    version: &'static str,
    /// The store.
    store: StoreHealth,
    /// The native sandbox of this process's worker, when it runs one: `status` (`on` or
    /// `off`), whom native actions run as, and the Landlock ABI in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    sandbox: Option<serde_json::Value>,
    /// Execution output streams (`output?follow=true`) this process is serving now.
    following: usize,
}

/// The store's health.
#[derive(Serialize, ToSchema)]
struct StoreHealth {
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// `ok` or `unavailable`.
    status: &'static str,
}

/// Liveness, with a store round trip.
#[utoipa::path(get, path = "/health", tag = "operations", responses(
    (status = OK, description = "Healthy", body = Health),
    (status = SERVICE_UNAVAILABLE, description = "The store is unreachable", body = Health),
))]
async fn health(State(state): State<ApiState>) -> (StatusCode, axum::Json<Health>) {
    let store = state.platform.store.list_runtimes(attune_domain::page::PageRequest::new(1, 1)).await;
    let (status, store_state) = match store {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = Health {
        status: if status == StatusCode::OK { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        store: StoreHealth { backend: state.platform.store.backend(), status: store_state },
        sandbox: state.sandbox.clone(),
        following: state.output_followers.load(std::sync::atomic::Ordering::Relaxed),
    };
    (status, axum::Json(body))
}

/// Liveness: answers as long as the process serves HTTP.
#[utoipa::path(get, path = "/health/live", tag = "operations", responses(
    (status = OK, description = "The process serves requests", body = Object, example = json!({"status": "live"})),
))]
async fn live() -> Response {
    attune_telemetry::ops::live()
}

/// Readiness: the store and the bus answer (and, in a process that runs a worker, the
/// worker is registered and heartbeating). Each check is `ok` or `unavailable`.
#[utoipa::path(get, path = "/health/ready", tag = "operations", responses(
    (status = OK, description = "Ready", body = Object,
        example = json!({"status": "ready", "checks": {"store": "ok", "bus": "ok"}})),
    (status = SERVICE_UNAVAILABLE, description = "A check failed", body = Object,
        example = json!({"status": "not_ready", "checks": {"store": "ok", "bus": "unavailable"}})),
))]
async fn ready(State(state): State<ApiState>) -> Response {
    attune_telemetry::ops::ready(state.probes.as_ref()).await
}

/// Metrics in the Prometheus text format. Readable by anyone, with `Authorization: Bearer
/// <ATTUNE_METRICS_TOKEN>`, or by nobody, as `ops.metrics` says.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = OK, description = "The Prometheus text format", body = String, content_type = "text/plain"),
    (status = UNAUTHORIZED, description = "The metrics token is missing or wrong"),
    (status = NOT_FOUND, description = "Metrics are turned off"),
))]
async fn metrics(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    attune_telemetry::ops::metrics(&state.metrics, state.probes.as_ref(), &headers).await
}
