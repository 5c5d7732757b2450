//! `/api/v1/identities`: identities, the permission sets they hold, and their API keys.

use attune_domain::Id;
use attune_domain::credential::ApiKey;
use attune_domain::identity::PermissionSet;
use attune_services::api_keys::{self, CreatedApiKey};
use attune_services::auth::Caller;
use attune_services::identities::{self, IdentityChanges, IdentityInput, IdentityView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::envelope::{Data, PageQuery, Paged, data, page};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/identities", get(list).post(create))
        .route("/api/v1/identities/{login}", get(show).patch(update).delete(remove))
        .route("/api/v1/identities/{login}/permission-sets", get(list_sets))
        .route("/api/v1/identities/{login}/permission-sets/{set_ref}", put(assign).get(show_set).delete(unassign))
        .route("/api/v1/identities/{login}/api-keys", get(list_keys).post(create_key))
        .route("/api/v1/identities/{login}/api-keys/{id}", axum::routing::delete(revoke_key))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list, create, show, update, remove, list_sets, show_set, assign, unassign, list_keys, create_key, revoke_key
))]
pub struct Doc;

/// List identities.
#[utoipa::path(get, path = "/api/v1/identities", tag = "identities", params(PageQuery),
    responses((status = OK, description = "A page of identities", body = Paged<IdentityView>)))]
async fn list(State(state): State<ApiState>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(identities::list(&state.platform, query.request()).await?))
}

/// Without a password, the identity is a service account (API keys only).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewIdentity)]
struct CreateBody {
    /// Unique login.
    login: String,
    /// Name shown.
    display_name: Option<String>,
    /// Absent for a service account.
    password: Option<String>,
    /// Free-form attributes.
    #[schema(value_type = Option<Object>)]
    attributes: Option<Value>,
}

/// Create an identity.
#[utoipa::path(post, path = "/api/v1/identities", tag = "identities", request_body = CreateBody,
    responses((status = CREATED, description = "The identity", body = Data<IdentityView>)))]
async fn create(
    State(state): State<ApiState>,
    Json(body): Json<CreateBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let input = IdentityInput {
        login: body.login,
        display_name: body.display_name,
        password: body.password,
        attributes: body.attributes,
    };
    Ok((StatusCode::CREATED, data(identities::create(&state.platform, input).await?)))
}

/// Show one identity (one's own, or with `view` on `identity`).
#[utoipa::path(get, path = "/api/v1/identities/{login}", tag = "identities",
    responses((status = OK, description = "The identity", body = Data<IdentityView>)))]
async fn show(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(identities::get(&state.platform, &login).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = IdentityChanges)]
struct UpdateBody {
    /// Name shown.
    display_name: Option<String>,
    /// Free-form attributes (replaced whole).
    #[schema(value_type = Option<Object>)]
    attributes: Option<Value>,
    /// A disabled identity cannot authenticate.
    enabled: Option<bool>,
    /// Sets the password (no current password needed: this route is for administrators).
    password: Option<String>,
}

/// Change an identity.
#[utoipa::path(patch, path = "/api/v1/identities/{login}", tag = "identities", request_body = UpdateBody,
    responses((status = OK, description = "The identity", body = Data<IdentityView>)))]
async fn update(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<axum::Json<Value>> {
    let changes = IdentityChanges {
        display_name: body.display_name,
        attributes: body.attributes,
        enabled: body.enabled,
        password: body.password,
    };
    Ok(data(identities::update(&state.platform, &caller, &login, changes).await?))
}

/// Delete an identity (never the last administrator).
#[utoipa::path(delete, path = "/api/v1/identities/{login}", tag = "identities",
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
) -> ApiResult<StatusCode> {
    identities::delete(&state.platform, &caller, &login).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The permission sets an identity holds.
#[utoipa::path(get, path = "/api/v1/identities/{login}/permission-sets", tag = "identities",
    responses((status = OK, description = "Its permission sets", body = Data<Vec<PermissionSet>>)))]
async fn list_sets(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(identities::permission_sets(&state.platform, &login).await?))
}

/// One permission set an identity holds.
#[utoipa::path(get, path = "/api/v1/identities/{login}/permission-sets/{set_ref}", tag = "identities",
    responses((status = OK, description = "The permission set", body = Data<PermissionSet>)))]
async fn show_set(
    State(state): State<ApiState>,
    Path((login, set_ref)): Path<(String, String)>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(identities::permission_set(&state.platform, &login, &set_ref).await?))
}

/// Give an identity a permission set.
#[utoipa::path(put, path = "/api/v1/identities/{login}/permission-sets/{set_ref}", tag = "identities",
    responses((status = NO_CONTENT, description = "Assigned")))]
async fn assign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((login, set_ref)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    identities::assign(&state.platform, &caller, &login, &set_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a permission set from an identity (never the last administrator's `admin`).
#[utoipa::path(delete, path = "/api/v1/identities/{login}/permission-sets/{set_ref}", tag = "identities",
    responses((status = NO_CONTENT, description = "Unassigned")))]
async fn unassign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((login, set_ref)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    identities::unassign(&state.platform, &caller, &login, &set_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An identity's API keys (never the keys themselves).
#[utoipa::path(get, path = "/api/v1/identities/{login}/api-keys", tag = "identities",
    responses((status = OK, description = "Its API keys", body = Data<Vec<ApiKey>>)))]
async fn list_keys(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(api_keys::list(&state.platform, &login).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewApiKey)]
struct CreateKeyBody {
    /// What the key is for, unique for the identity.
    name: String,
    /// Expires after this many seconds (never when absent).
    expires_in_s: Option<u64>,
}

/// Create an API key; the answer's `key` is the only time it is shown.
#[utoipa::path(post, path = "/api/v1/identities/{login}/api-keys", tag = "identities", request_body = CreateKeyBody,
    responses((status = CREATED, description = "The key", body = Data<CreatedApiKey>)))]
async fn create_key(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
    Json(body): Json<CreateKeyBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let created = api_keys::create(&state.platform, &caller, &login, &body.name, body.expires_in_s).await?;
    Ok((StatusCode::CREATED, data(created)))
}

/// Revoke an API key.
#[utoipa::path(delete, path = "/api/v1/identities/{login}/api-keys/{id}", tag = "identities",
    responses((status = NO_CONTENT, description = "Revoked")))]
async fn revoke_key(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((login, id)): Path<(String, Id)>,
) -> ApiResult<StatusCode> {
    api_keys::revoke(&state.platform, &caller, &login, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
