//! `/api/v1/identities`: identities, the permission sets they hold, and their API keys.

use attune_domain::Id;
use attune_services::api_keys;
use attune_services::auth::Caller;
use attune_services::identities::{self, IdentityChanges, IdentityInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::envelope::{data, page, page_request};
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<u32>,
    page_size: Option<u32>,
}

async fn list(State(state): State<ApiState>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(identities::list(&state.platform, page_request(query.page, query.page_size)).await?))
}

/// Without a password, the identity is a service account (API keys only).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    login: String,
    display_name: Option<String>,
    password: Option<String>,
    attributes: Option<Value>,
}

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

async fn show(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(identities::get(&state.platform, &login).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    display_name: Option<String>,
    attributes: Option<Value>,
    enabled: Option<bool>,
    /// Sets the password (no current password needed: this route is for administrators).
    password: Option<String>,
}

async fn update(
    State(state): State<ApiState>,
    Path(login): Path<String>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<axum::Json<Value>> {
    let changes = IdentityChanges {
        display_name: body.display_name,
        attributes: body.attributes,
        enabled: body.enabled,
        password: body.password,
    };
    Ok(data(identities::update(&state.platform, &login, changes).await?))
}

async fn remove(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<StatusCode> {
    identities::delete(&state.platform, &login).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_sets(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(identities::permission_sets(&state.platform, &login).await?))
}

async fn show_set(
    State(state): State<ApiState>,
    Path((login, set_ref)): Path<(String, String)>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(identities::permission_set(&state.platform, &login, &set_ref).await?))
}

async fn assign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((login, set_ref)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    identities::assign(&state.platform, &caller, &login, &set_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unassign(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((login, set_ref)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    identities::unassign(&state.platform, &caller, &login, &set_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_keys(State(state): State<ApiState>, Path(login): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(api_keys::list(&state.platform, &login).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateKeyBody {
    name: String,
    expires_in_s: Option<u64>,
}

/// `201` with the key in `key`: the only time it is shown.
async fn create_key(
    State(state): State<ApiState>,
    Path(login): Path<String>,
    Json(body): Json<CreateKeyBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let created = api_keys::create(&state.platform, &login, &body.name, body.expires_in_s).await?;
    Ok((StatusCode::CREATED, data(created)))
}

async fn revoke_key(State(state): State<ApiState>, Path((login, id)): Path<(String, Id)>) -> ApiResult<StatusCode> {
    api_keys::revoke(&state.platform, &login, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
