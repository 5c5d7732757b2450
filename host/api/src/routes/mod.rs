//! Routes, one module per resource; each returns its own `Router`.

mod auth;
mod components;
mod events;
mod executions;
mod operations;
mod rules;
mod webhooks;
mod health;
mod packs;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;

use crate::auth::require_token;
use crate::error::ApiError;
use crate::state::ApiState;

/// Every route. Only `/health`, login and refresh are reachable without a token.
pub fn router(state: ApiState) -> Router {
    let protected = Router::new()
        .merge(auth::protected())
        .merge(packs::router())
        .merge(components::router())
        .merge(executions::router())
        .merge(operations::router())
        .merge(rules::router())
        .merge(events::router())
        .route_layer(from_fn_with_state(state.clone(), require_token));
    Router::new()
        .merge(health::router())
        .merge(auth::public())
        // Webhook routes authenticate in their handlers: posts may be signed instead.
        .merge(webhooks::router())
        .merge(protected)
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed on this route",
            )
        })
        .with_state(state)
}
