//! `/api/v1/auth`: login, refresh, me, and changing one's own password.

use attune_services::auth::{self, Caller};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::envelope::data;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::ApiState;

/// Routes reachable without a token.
pub fn public() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
}

/// Routes that need a token.
pub fn protected() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/auth/me", get(me))
        .route("/api/v1/auth/password", post(change_password))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    login: String,
    password: String,
}

async fn login(
    State(state): State<ApiState>,
    Json(body): Json<LoginRequest>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(
        auth::login(&state.platform, &body.login, &body.password).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(
    State(state): State<ApiState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(
        auth::refresh(&state.platform, &body.refresh_token).await?,
    ))
}

async fn me(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(auth::me(&state.platform, &caller).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordRequest {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/auth/password` → a fresh token pair (every other session of the identity
/// ends: its refresh tokens are revoked).
async fn change_password(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PasswordRequest>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(
        auth::change_password(&state.platform, &caller, &body.current_password, &body.new_password).await?,
    ))
}
