//! `/api/v1/keys`: the datastore. A key is addressed by its name in the path and its scope
//! and owner in the query: `/api/v1/keys/{name}?scope=pack&owner=slack`. The scope defaults
//! to `system` (which has no owner); identity keys default to the caller's own.

use attune_domain::status::KeyOwnerType;
use attune_services::auth::Caller;
use attune_services::keys::{self, KeyAddress, KeyQuery, KeyValue, KeyView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::envelope::{Data, Paged, data, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new().route("/api/v1/keys", get(list)).route("/api/v1/keys/{name}", get(show).put(put).delete(remove))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, show, put, remove))]
pub struct Doc;

fn scope(text: Option<&str>) -> Result<Option<KeyOwnerType>, ApiError> {
    text.map(str::parse::<KeyOwnerType>).transpose().map_err(|_| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "scope: one of system, identity, pack, action, sensor")
    })
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only keys of this scope (without one: the caller's own keys).
    #[param(value_type = Option<KeyOwnerType>)]
    scope: Option<String>,
    /// Only keys of this owner (needs `scope`).
    owner: Option<String>,
    /// Only keys whose name starts with this.
    prefix: Option<String>,
}

/// List datastore keys.
#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", params(ListQuery),
    responses((status = OK, description = "A page of keys", body = Paged<KeyView>)))]
async fn list(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<ListQuery>,
) -> ApiResult<axum::Json<Value>> {
    let filter = KeyQuery { scope: scope(query.scope.as_deref())?, owner: query.owner, prefix: query.prefix };
    Ok(page(keys::list(&state.platform, &caller, filter, page_request(query.page, query.page_size)).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct KeyQueryParams {
    /// The key's scope (default `system`).
    #[param(value_type = Option<KeyOwnerType>)]
    scope: Option<String>,
    /// The owner's login or ref (identity keys default to the caller's own).
    owner: Option<String>,
    /// Show an encrypted value in clear (needs `execute` on `key`, or owning it).
    decrypt: Option<bool>,
}

impl KeyQueryParams {
    fn address(&self, name: String) -> Result<KeyAddress, ApiError> {
        Ok(KeyAddress {
            scope: scope(self.scope.as_deref())?.unwrap_or(KeyOwnerType::System),
            owner: self.owner.clone(),
            name,
        })
    }
}

/// Show one key.
#[utoipa::path(get, path = "/api/v1/keys/{name}", tag = "keys", params(KeyQueryParams),
    responses((status = OK, description = "The key", body = Data<KeyView>)))]
async fn show(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Query(query): Query<KeyQueryParams>,
) -> ApiResult<axum::Json<Value>> {
    let address = query.address(name)?;
    Ok(data(keys::get(&state.platform, &caller, &address, query.decrypt.unwrap_or(false)).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = KeyInput)]
struct PutBody {
    /// The value.
    value: String,
    /// Store it encrypted (AES-256-GCM).
    #[serde(default)]
    encrypted: bool,
    /// Expires after this many seconds (never when absent).
    ttl_s: Option<u64>,
}

/// Create or replace a key; the value is masked when encrypted.
#[utoipa::path(put, path = "/api/v1/keys/{name}", tag = "keys", params(KeyQueryParams), request_body = PutBody,
    responses(
        (status = CREATED, description = "The key, new", body = Data<KeyView>),
        (status = OK, description = "The key, replaced", body = Data<KeyView>),
    ))]
async fn put(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Query(query): Query<KeyQueryParams>,
    Json(body): Json<PutBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    if query.decrypt.is_some() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "decrypt applies to reads only"));
    }
    let address = query.address(name)?;
    let value = KeyValue { value: body.value, encrypted: body.encrypted, ttl_s: body.ttl_s };
    let (key, created) = keys::put(&state.platform, &caller, &address, value).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, data(key)))
}

/// Delete a key.
#[utoipa::path(delete, path = "/api/v1/keys/{name}", tag = "keys", params(KeyQueryParams),
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Query(query): Query<KeyQueryParams>,
) -> ApiResult<StatusCode> {
    if query.decrypt.is_some() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "decrypt applies to reads only"));
    }
    keys::delete(&state.platform, &caller, &query.address(name)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
