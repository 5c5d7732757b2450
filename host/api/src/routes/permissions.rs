//! `/api/v1/permission-sets`: roles and their grants. Built-in and pack-owned sets are
//! read-only here.

use attune_domain::identity::Grant;
use attune_services::auth::Caller;
use attune_services::permission_sets::{self, PermissionSetInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::envelope::{data, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/permission-sets", get(list).post(create))
        .route("/api/v1/permission-sets/{set_ref}", get(show).put(replace).delete(remove))
}

/// A grant as an object (`{"resource", "pack", "verbs"}`) or in the compact form
/// `resource[@pack]:verb,verb` that pack files use.
#[derive(Deserialize)]
#[serde(untagged)]
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetBody {
    /// Required when creating; when replacing, must match the path if given.
    #[serde(rename = "ref")]
    set_ref: Option<String>,
    label: Option<String>,
    description: Option<String>,
    grants: Vec<GrantBody>,
}

impl SetBody {
    fn into_input(self) -> Result<(Option<String>, PermissionSetInput), ApiError> {
        let grants = self.grants.into_iter().enumerate().map(|(i, g)| g.into_grant(i)).collect::<Result<_, _>>()?;
        Ok((self.set_ref, PermissionSetInput { label: self.label, description: self.description, grants }))
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<u32>,
    page_size: Option<u32>,
}

async fn list(State(state): State<ApiState>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(permission_sets::list(&state.platform, page_request(query.page, query.page_size)).await?))
}

async fn show(State(state): State<ApiState>, Path(set_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(permission_sets::get(&state.platform, &set_ref).await?))
}

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

async fn remove(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(set_ref): Path<String>,
) -> ApiResult<StatusCode> {
    permission_sets::delete(&state.platform, &caller, &set_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}
