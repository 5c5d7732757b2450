//! `GET /health`: liveness, with a store round trip.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new().route("/health", get(health))
}

async fn health(State(state): State<ApiState>) -> (StatusCode, axum::Json<Value>) {
    let store = state
        .platform
        .store
        .list_runtimes(attune_domain::page::PageRequest::new(1, 1))
        .await;
    let (status, store_state) = match store {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "store": { "backend": state.platform.store.backend(), "status": store_state },
    });
    (status, axum::Json(body))
}
