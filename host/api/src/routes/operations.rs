//! `/api/v1/workers` and `/api/v1/runtimes`.

use attune_domain::status::WorkerStatus;
use attune_services::ServiceError;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;

use crate::envelope::{data, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/workers", get(list_workers))
        .route("/api/v1/workers/{id}", get(show_worker))
        .route("/api/v1/runtimes", get(list_runtimes))
        .route("/api/v1/runtimes/{runtime_ref}", get(show_runtime))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WorkerQuery {
    page: Option<u32>,
    page_size: Option<u32>,
    status: Option<String>,
}

async fn list_workers(State(state): State<ApiState>, Query(query): Query<WorkerQuery>) -> ApiResult<axum::Json<Value>> {
    let status = query
        .status
        .as_deref()
        .map(|s| s.parse::<WorkerStatus>())
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()))?;
    let request = page_request(query.page, query.page_size);
    Ok(page(state.platform.store.list_workers(status, request).await.map_err(ServiceError::from)?))
}

async fn show_worker(State(state): State<ApiState>, Path(id): Path<i64>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_worker(id).await.map_err(ServiceError::from)?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<u32>,
    page_size: Option<u32>,
}

async fn list_runtimes(State(state): State<ApiState>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    let request = page_request(query.page, query.page_size);
    Ok(page(state.platform.store.list_runtimes(request).await.map_err(ServiceError::from)?))
}

async fn show_runtime(State(state): State<ApiState>, Path(runtime_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_runtime(&runtime_ref).await.map_err(ServiceError::from)?))
}
