//! `/api/v1/workers` and `/api/v1/runtimes`.

use attune_domain::runtime::Runtime;
use attune_domain::status::WorkerStatus;
use attune_domain::worker::Worker;
use attune_services::ServiceError;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::envelope::{Data, PageQuery, Paged, data, page, page_request};
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

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_workers, show_worker, list_runtimes, show_runtime))]
pub struct Doc;

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct WorkerQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only workers in this status.
    #[param(value_type = Option<WorkerStatus>)]
    status: Option<String>,
}

/// List workers.
#[utoipa::path(get, path = "/api/v1/workers", tag = "workers", params(WorkerQuery),
    responses((status = OK, description = "A page of workers", body = Paged<Worker>)))]
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

/// Show one worker.
#[utoipa::path(get, path = "/api/v1/workers/{id}", tag = "workers",
    responses((status = OK, description = "The worker", body = Data<Worker>)))]
async fn show_worker(State(state): State<ApiState>, Path(id): Path<i64>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_worker(id).await.map_err(ServiceError::from)?))
}

/// List runtimes.
#[utoipa::path(get, path = "/api/v1/runtimes", tag = "workers", params(PageQuery),
    responses((status = OK, description = "A page of runtimes", body = Paged<Runtime>)))]
async fn list_runtimes(State(state): State<ApiState>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(state.platform.store.list_runtimes(query.request()).await.map_err(ServiceError::from)?))
}

/// Show one runtime.
#[utoipa::path(get, path = "/api/v1/runtimes/{runtime_ref}", tag = "workers",
    responses((status = OK, description = "The runtime", body = Data<Runtime>)))]
async fn show_runtime(State(state): State<ApiState>, Path(runtime_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_runtime(&runtime_ref).await.map_err(ServiceError::from)?))
}
