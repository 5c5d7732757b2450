//! The layer that requires a valid access token.

use attune_services::auth::{Caller, authenticate};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;
use crate::state::ApiState;

/// Verifies the `Authorization: Bearer <token>` header and hands the [`Caller`] to the
/// handler (as a request extension); answers 401 otherwise.
pub async fn require_token(
    State(state): State<ApiState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer_token(request.headers())?
        .ok_or_else(|| ApiError::unauthorized("missing Authorization header (expected 'Bearer <token>')"))?;
    let caller: Caller = authenticate(&state.platform, token).await?;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

/// The caller of a route that authenticates in its handler rather than behind the token
/// layer (webhook routes, which also accept signatures). Rejects with 401 like the layer.
pub struct Authenticated(pub Caller);

impl axum::extract::FromRequestParts<ApiState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header (expected 'Bearer <token>')"))?;
        Ok(Authenticated(authenticate(&state.platform, token).await?))
    }
}

/// The bearer token of a request, if it has an Authorization header; an error when that
/// header is malformed.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(header) = headers.get(AUTHORIZATION) else { return Ok(None) };
    header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .map(Some)
        .ok_or_else(|| ApiError::unauthorized("malformed Authorization header (expected 'Bearer <token>')"))
}
