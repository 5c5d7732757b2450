//! Credentials in requests: the bearer header, and the caller of routes that authenticate in
//! their handlers.

use attune_services::auth::{Caller, authenticate};
use axum::http::header::AUTHORIZATION;

use crate::error::ApiError;
use crate::state::ApiState;

/// The credential a request presented, kept for handlers that must check it again later (a
/// live stream outlives the request that opened it). Never printed.
#[derive(Clone)]
pub struct Presented(pub String);

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Presented(..)")
    }
}

/// The caller of a route: the one the access layer (`crate::rbac`) authenticated, or, where
/// the layer let the request through without a credential (signed webhook posts), one
/// authenticated here. Rejects with 401 like the layer.
pub struct Authenticated(pub Caller);

impl axum::extract::FromRequestParts<ApiState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(Authenticated(caller.clone()));
        }
        let token = bearer_token(&parts.headers)?
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header (expected 'Bearer <token>')"))?;
        Ok(Authenticated(authenticate(&state.platform, token).await?))
    }
}

/// The bearer credential (access token or API key) of a request, if it has an Authorization
/// header; an error when that header is malformed.
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
