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
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("missing Authorization header (expected 'Bearer <token>')")
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("malformed Authorization header (expected 'Bearer <token>')")
        })?;
    let caller: Caller = authenticate(&state.platform, token).await?;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}
