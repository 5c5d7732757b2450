//! `/api/v1/permission-sets`: roles and their grants. Built-in and pack-owned sets are
//! read-only here.

use attune_domain::identity::{Grant, PermissionSet};
use attune_services::auth::Caller;
use attune_services::permission_sets::{self, PermissionSetInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::envelope::{Data, PageQuery, Paged, data, page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/permission-sets", get(list).post(create))
        .route("/api/v1/permission-sets/{set_ref}", get(show).put(replace).delete(remove))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, show, replace, remove))]
pub struct Doc;

/// A grant as an object (`{"resource", "pack", "verbs"}`) or in the compact form
/// `resource[@pack]:verb,verb` that pack files use.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(as = GrantInput)]
enum GrantBody {
    Compact(String),
    Full(Grant),
}

impl GrantBody {
    fn into_grant(self, index: usize) -> Result<Grant, ApiError> {
        match self {
            GrantBody::Full(grant) => Ok(grant),
            GrantBody::Compact(text) => text.parse().map_err(|_| {
                attune_services::ServiceError::field(
                    &format!("grants[{index}]"),
                    format!("'{text}' is not a grant (expected resource[@pack]:verb,verb)"),
                )
                .into()
            }),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PermissionSetInput)]
struct SetBody {
    /// Required when creating; when replacing, must match the path if given.
    #[serde(rename = "ref")]
    set_ref: Option<String>,
    /// Display name.
    label: Option<String>,
    /// What the set is for.
    description: Option<String>,
    /// What holders may do.
    grants: Vec<GrantBody>,
}

impl SetBody {
    fn into_input(self) -> Result<(Option<String>, PermissionSetInput), ApiError> {
        let grants = self.grants.into_iter().enumerate().map(|(i, g)| g.into_grant(i)).collect::<Result<_, _>>()?;
        Ok((self.set_ref, PermissionSetInput { label: self.label, description: self.description, grants }))
    }
}

/// List permission sets.
#[utoipa::path(get, path = "/api/v1/permission-sets", tag = "permission-sets", params(PageQuery),
    responses((status = OK, description = "A page of permission sets", body = Paged<PermissionSet>)))]
async fn list(State(state): State<ApiState>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(permission_sets::list(&state.platform, query.request()).await?))
}

/// Show one permission set.
#[utoipa::path(get, path = "/api/v1/permission-sets/{set_ref}", tag = "permission-sets",
    responses((status = OK, description = "The permission set", body = Data<PermissionSet>)))]
async fn show(State(state): State<ApiState>, Path(set_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(permission_sets::get(&state.platform, &set_ref).await?))
}

/// Create a permission set.
#[utoipa::path(post, path = "/api/v1/permission-sets", tag = "permission-sets", request_body = SetBody,
    responses((status = CREATED, description = "The permission set", body = Data<PermissionSet>)))]
async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<SetBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let (set_ref, input) = body.into_input()?;
    let set_ref = set_ref.ok_or_else(|| attune_services::ServiceError::field("ref", "required"))?;
    let set = permission_sets::create(&state.platform, &caller, &set_ref, input).await?;
    Ok((StatusCode::CREATED, data(set)))
}

/// Replace a permission set's label, description and grants.
#[utoipa::path(put, path = "/api/v1/permission-sets/{set_ref}", tag = "permission-sets", request_body = SetBody,
    responses((status = OK, description = "The permission set", body = Data<PermissionSet>)))]
async fn replace(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(set_ref): Path<String>,
    Json(body): Json<SetBody>,
) -> ApiResult<axum::Json<Value>> {
    let (body_ref, input) = body.into_input()?;
    if body_ref.is_some_and(|r| r != set_ref) {
        return Err(attune_services::ServiceError::field("ref", "differs from the ref in the path").into());
    }
    Ok(data(permission_sets::replace(&state.platform, &caller, &set_ref, input).await?))
}

/// Delete a permission set.
#[utoipa::path(delete, path = "/api/v1/permission-sets/{set_ref}", tag = "permission-sets",
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(set_ref): Path<String>,
) -> ApiResult<StatusCode> {
    permission_sets::delete(&state.platform, &caller, &set_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}
