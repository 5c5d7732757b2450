//! `/api/v1/keys`: the datastore. A key is addressed by its name in the path and its scope
//! and owner in the query: `/api/v1/keys/{name}?scope=pack&owner=slack`. The scope defaults
//! to `system` (which has no owner); identity keys default to the caller's own.

use attune_domain::status::KeyOwnerType;
use attune_services::auth::Caller;
use attune_services::keys::{self, KeyAddress, KeyQuery, KeyValue};
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
    Router::new().route("/api/v1/keys", get(list)).route("/api/v1/keys/{name}", get(show).put(put).delete(remove))
}

fn scope(text: Option<&str>) -> Result<Option<KeyOwnerType>, ApiError> {
    text.map(str::parse::<KeyOwnerType>).transpose().map_err(|_| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "scope: one of system, identity, pack, action, sensor")
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u32>,
    page_size: Option<u32>,
    scope: Option<String>,
    owner: Option<String>,
    prefix: Option<String>,
}

async fn list(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<ListQuery>,
) -> ApiResult<axum::Json<Value>> {
    let filter = KeyQuery { scope: scope(query.scope.as_deref())?, owner: query.owner, prefix: query.prefix };
    Ok(page(keys::list(&state.platform, &caller, filter, page_request(query.page, query.page_size)).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KeyQueryParams {
    scope: Option<String>,
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

async fn show(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Query(query): Query<KeyQueryParams>,
) -> ApiResult<axum::Json<Value>> {
    let address = query.address(name)?;
    Ok(data(keys::get(&state.platform, &caller, &address, query.decrypt.unwrap_or(false)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutBody {
    value: String,
    #[serde(default)]
    encrypted: bool,
    ttl_s: Option<u64>,
}

/// `201` when the key is new, `200` when it replaced one; the value is masked when encrypted.
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
