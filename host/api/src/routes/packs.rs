//! `/api/v1/packs`: install from an archive (the request body), register from a server
//! path, list, show, delete; the versions kept of each, installed again on request and
//! downloadable.

use attune_domain::pack::{Pack, PackVersion};
use attune_services::auth::Caller;
use attune_services::packs::{self, Registration};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::envelope::{Data, ListParams, Paged, data, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/packs", get(list).post(install))
        .route("/api/v1/packs/register", post(register))
        .route("/api/v1/packs/{pack_ref}", get(show).delete(remove))
        .route("/api/v1/packs/{pack_ref}/versions", get(versions))
        .route("/api/v1/packs/{pack_ref}/versions/{version}/install", post(install_version))
        .route("/api/v1/packs/{pack_ref}/versions/{version}/archive", get(download))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, install, register, show, remove, versions, install_version, download))]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct InstallQuery {
    /// The archive's digest (`sha256:<hex>`) as the sender computed it: an archive that
    /// arrives with another is refused.
    digest: Option<String>,
}

/// Install a pack from an archive (`attune pack build`'s `.tar.gz`, the request body).
///
/// The archive is checked member by member, unpacked, validated like a registration, and
/// stored with the archive kept as a version of the pack, all or nothing. Its size is
/// bounded by `server.max_body_bytes`.
#[utoipa::path(post, path = "/api/v1/packs", tag = "packs", params(InstallQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The pack archive (.tar.gz)"),
    responses(
        (status = CREATED, description = "The installed pack and what changed", body = Data<Registration>),
        (status = UNPROCESSABLE_ENTITY, description = "Not a valid pack archive, or an invalid pack: `invalid_pack` with each problem"),
        (status = CONFLICT, description = "This version of the pack was installed before from another archive"),
        (status = PAYLOAD_TOO_LARGE, description = "Larger than `server.max_body_bytes`"),
    ))]
async fn install(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<InstallQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let installed =
        packs::install(&state.platform, &caller, &state.packs_cache, &body, query.digest.as_deref()).await?;
    Ok((StatusCode::CREATED, data(installed)))
}

/// The versions of a pack installed from archives, newest first.
#[utoipa::path(get, path = "/api/v1/packs/{pack_ref}/versions", tag = "packs",
    responses((status = OK, description = "The versions kept", body = Data<Vec<PackVersion>>)))]
async fn versions(State(state): State<ApiState>, Path(pack_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(packs::versions(&state.platform, &pack_ref).await?))
}

/// Install a kept version of a pack again (roll back or forward).
#[utoipa::path(post, path = "/api/v1/packs/{pack_ref}/versions/{version}/install", tag = "packs",
    responses((status = OK, description = "The installed pack and what changed", body = Data<Registration>)))]
async fn install_version(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((pack_ref, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(packs::install_version(&state.platform, &caller, &state.packs_cache, &pack_ref, &version).await?))
}

/// Download a kept version's archive.
#[utoipa::path(get, path = "/api/v1/packs/{pack_ref}/versions/{version}/archive", tag = "packs",
    responses((status = OK, description = "The archive", content_type = "application/gzip", body = Vec<u8>)))]
async fn download(
    State(state): State<ApiState>,
    Path((pack_ref, version)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (kept, bytes) = packs::archive(&state.platform, &pack_ref, &version).await?;
    let name = format!("attachment; filename=\"{}-{}.tar.gz\"", kept.pack_ref, kept.version);
    let headers = [
        (header::CONTENT_TYPE, "application/gzip".to_owned()),
        (header::CONTENT_DISPOSITION, name),
        (header::HeaderName::from_static("x-attune-digest"), kept.digest),
    ];
    Ok((headers, bytes).into_response())
}

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
