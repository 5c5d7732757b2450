//! `/api/v1/packs`: register from a server path, list, show, delete.

use attune_domain::pack::Pack;
use attune_services::auth::Caller;
use attune_services::packs::{self, Registration};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::envelope::{Data, ListParams, Paged, data, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/packs", get(list))
        .route("/api/v1/packs/register", post(register))
        .route("/api/v1/packs/{pack_ref}", get(show).delete(remove))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, register, show, remove))]
pub struct Doc;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PackRegistration)]
struct RegisterRequest {
    /// A pack directory under the server's packs directory (absolute, or relative to it).
    path: String,
}

/// Register (or re-register) the pack in a directory on the server.
#[utoipa::path(post, path = "/api/v1/packs/register", tag = "packs", request_body = RegisterRequest,
    responses((status = OK, description = "The stored pack and what changed", body = Data<Registration>)))]
async fn register(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<RegisterRequest>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(packs::register(&state.platform, &caller, &state.packs_dir, &body.path).await?))
}

/// List packs.
#[utoipa::path(get, path = "/api/v1/packs", tag = "packs", params(ListParams),
    responses((status = OK, description = "A page of packs", body = Paged<Pack>)))]
async fn list(State(state): State<ApiState>, Query(params): Query<ListParams>) -> ApiResult<axum::Json<Value>> {
    if params.pack.is_some() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "packs cannot be filtered by pack"));
    }
    Ok(page(packs::list(&state.platform, params.page_request()).await?))
}

/// Show one pack.
#[utoipa::path(get, path = "/api/v1/packs/{pack_ref}", tag = "packs",
    responses((status = OK, description = "The pack", body = Data<Pack>)))]
async fn show(State(state): State<ApiState>, Path(pack_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(packs::get(&state.platform, &pack_ref).await?))
}

/// Delete a pack and its components (history stays).
#[utoipa::path(delete, path = "/api/v1/packs/{pack_ref}", tag = "packs",
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(State(state): State<ApiState>, Path(pack_ref): Path<String>) -> ApiResult<StatusCode> {
    packs::delete(&state.platform, &pack_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}
