//! `/api/v1/auth`: login, refresh, me.

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
    Router::new().route("/api/v1/auth/me", get(me))
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
