//! `/api/v1/packs/{pack_ref}/secrets`: which system (or other packs') keys a pack's
//! actions receive as the secrets they ask for. Administrators only (see
//! `attune_services::secret_bindings`).

use attune_domain::key::SecretBinding;
use attune_services::ServiceError;
use attune_services::auth::Caller;
use attune_services::secret_bindings::{self, BoundKey};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::envelope::{Data, data};
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/packs/{pack_ref}/secrets", get(list))
        .route("/api/v1/packs/{pack_ref}/secrets/{name}", put(bind).delete(unbind))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, bind, unbind))]
pub struct Doc;

/// The key a pack's secret is bound to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SecretBindingInput)]
struct BindBody {
    /// `system`, or `pack` for another pack's key.
    scope: String,
    /// The key's pack, with `scope: pack`.
    owner: Option<String>,
    /// The key's name.
    key: String,
}

/// The bindings of a pack's secrets.
#[utoipa::path(get, path = "/api/v1/packs/{pack_ref}/secrets", tag = "packs",
    responses((status = OK, description = "The pack's secret bindings", body = Data<Vec<SecretBinding>>)))]
async fn list(State(state): State<ApiState>, Path(pack_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(secret_bindings::list(&state.platform, &pack_ref).await?))
}

/// Give a pack's actions a system key, or another pack's, as secret `name`.
#[utoipa::path(put, path = "/api/v1/packs/{pack_ref}/secrets/{name}", tag = "packs", request_body = BindBody,
    responses(
        (status = CREATED, description = "The new binding", body = Data<SecretBinding>),
        (status = OK, description = "The binding, replaced", body = Data<SecretBinding>),
    ))]
async fn bind(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((pack_ref, name)): Path<(String, String)>,
    Json(body): Json<BindBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let key = match (body.scope.as_str(), body.owner) {
        ("system", None) => BoundKey::System(body.key),
        ("system", Some(_)) => return Err(ServiceError::field("owner", "system keys have no owner").into()),
        ("pack", Some(owner)) => BoundKey::Pack(owner, body.key),
        ("pack", None) => return Err(ServiceError::field("owner", "a pack key needs its pack").into()),
        _ => return Err(ServiceError::field("scope", "must be system or pack").into()),
    };
    let (binding, created) = secret_bindings::bind(&state.platform, &caller, &pack_ref, &name, key).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, data(binding)))
}

/// Remove a binding: the pack's actions no longer receive that key.
#[utoipa::path(delete, path = "/api/v1/packs/{pack_ref}/secrets/{name}", tag = "packs",
    responses((status = NO_CONTENT, description = "Removed")))]
async fn unbind(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((pack_ref, name)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    secret_bindings::unbind(&state.platform, &caller, &pack_ref, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
