//! `/api/v1/packs`: register from a server path, list, show, delete.

use attune_services::packs;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;

use crate::envelope::{ListParams, data, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/packs", get(list))
        .route("/api/v1/packs/register", post(register))
        .route("/api/v1/packs/{pack_ref}", get(show).delete(remove))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterRequest {
    path: String,
}

async fn register(
    State(state): State<ApiState>,
    Json(body): Json<RegisterRequest>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(packs::register(&state.platform, &body.path).await?))
}

async fn list(
    State(state): State<ApiState>,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<Value>> {
    if params.pack.is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "packs cannot be filtered by pack",
        ));
    }
    Ok(page(
        packs::list(&state.platform, params.page_request()).await?,
    ))
}

async fn show(
    State(state): State<ApiState>,
    Path(pack_ref): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(packs::get(&state.platform, &pack_ref).await?))
}

async fn remove(
    State(state): State<ApiState>,
    Path(pack_ref): Path<String>,
) -> ApiResult<StatusCode> {
    packs::delete(&state.platform, &pack_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}
