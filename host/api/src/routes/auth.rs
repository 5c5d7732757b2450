//! `/api/v1/auth`: login, refresh, me, and changing one's own password.

use attune_security::TokenPair;
use std::net::SocketAddr;

use attune_services::ServiceError;
use attune_services::auth::{self, Caller};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::envelope::{Data, data};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use crate::state::ApiState;
use crate::throttle::Throttled;

/// Routes reachable without a token.
pub fn public() -> Router<ApiState> {
    Router::new().route("/api/v1/auth/login", post(login)).route("/api/v1/auth/refresh", post(refresh))
}

/// Routes that need a token.
pub fn protected() -> Router<ApiState> {
    Router::new().route("/api/v1/auth/me", get(me)).route("/api/v1/auth/password", post(change_password))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(login, refresh, me, change_password))]
pub struct Doc;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    login: String,
    password: String,
}

/// Exchange a login and password for a token pair.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = OK, description = "Access token (1 h) and refresh token (7 d)", body = Data<TokenPair>),
        (status = TOO_MANY_REQUESTS, description = "Too many attempts from this address, or failures for this login; `Retry-After` says when to try again", body = ErrorBody),
    ))]
async fn login(
    State(state): State<ApiState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Json(body): Json<LoginRequest>,
) -> ApiResult<axum::Json<Value>> {
    let peer = client.map(|Extension(ConnectInfo(address))| address.ip());
    let client = crate::throttle::client_address(peer, &headers, &state.limits.trusted_proxies);
    if let Err(Throttled(wait)) = state.login_throttle.admit(client, &body.login) {
        return Err(ApiError::too_many_requests("too many login attempts; try again later", wait));
    }
    match auth::login(&state.platform, &body.login, &body.password).await {
        Ok(pair) => Ok(data(pair)),
        Err(error) => {
            if matches!(error, ServiceError::Unauthenticated(_)) {
                state.login_throttle.failed(&body.login);
            }
            Err(error.into())
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    refresh_token: String,
}

/// Exchange a refresh token for a new pair (the old refresh token is spent).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = OK, description = "A fresh token pair", body = Data<TokenPair>)))]
async fn refresh(State(state): State<ApiState>, Json(body): Json<RefreshRequest>) -> ApiResult<axum::Json<Value>> {
    Ok(data(auth::refresh(&state.platform, &body.refresh_token).await?))
}

/// The caller: identity, permission sets and grants.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = OK, description = "The caller", body = Data<attune_services::auth::Profile>)))]
async fn me(State(state): State<ApiState>, Extension(caller): Extension<Caller>) -> ApiResult<axum::Json<Value>> {
    Ok(data(auth::me(&state.platform, &caller).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordRequest {
    current_password: String,
    new_password: String,
}

/// Change one's own password.
///
/// Answers a fresh token pair; every other session of the identity ends (its refresh tokens
/// are revoked).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordRequest,
    responses((status = OK, description = "A fresh token pair", body = Data<TokenPair>)))]
async fn change_password(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PasswordRequest>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(auth::change_password(&state.platform, &caller, &body.current_password, &body.new_password).await?))
}
