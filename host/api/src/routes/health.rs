//! `GET /health`: liveness, with a store round trip.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new().route("/health", get(health))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(health))]
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
