//! Routes, one module per resource; each returns its own `Router`.

mod artifacts;
mod audit;
mod auth;
mod components;
mod docs;
mod events;
mod executions;
mod health;
mod identities;
mod inquiries;
mod keys;
mod operations;
mod packs;
mod permissions;
mod policies;
mod rules;
mod secret_bindings;
mod stream;
mod webhooks;
mod workflows;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::rbac::authorize;
use crate::state::ApiState;

/// Every route. Each passes the access table (`crate::rbac`), which decides what it needs:
/// nothing (`/health`, login, refresh), a valid credential, or grants; and each request is
/// counted and timed by route template (`/metrics`).
pub fn router(state: ApiState) -> Router {
    let routes = Router::new()
        .merge(health::router())
        .merge(docs::router())
        .merge(audit::router())
        .merge(auth::public())
        .merge(auth::protected())
        // Webhook posts may be signed instead of carrying a credential.
        .merge(webhooks::router())
        .merge(packs::router())
        .merge(secret_bindings::router())
        .merge(components::router())
        .merge(executions::router())
        .merge(artifacts::router())
        .merge(workflows::router())
        .merge(operations::router())
        .merge(rules::router())
        .merge(policies::router())
        .merge(inquiries::router())
        .merge(events::router())
        .merge(identities::router())
        .merge(permissions::router())
        .merge(keys::router())
        .merge(stream::router());
    finish(routes, state).fallback(ui_or_not_found)
}

/// The routes of the notifier role: `/health` and the live stream, under the same access
/// table, for a process that only holds WebSocket connections.
pub fn notifier_router(state: ApiState) -> Router {
    finish(Router::new().merge(health::router()).merge(stream::router()), state)
}

/// `routes` behind the access layer, with the API's answers for unknown routes and methods.
fn finish(routes: Router<ApiState>, state: ApiState) -> Router {
    routes
        .route_layer(from_fn_with_state(state.clone(), authorize))
        // Outside the access layer, so that refused requests are timed and counted too.
        .route_layer(axum::middleware::from_fn(attune_telemetry::ops::track_http))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed on this route")
        })
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

/// What no route matches: a page or file of the web UI (`attune_web`; public, like any
/// page: it holds no data, and signs in through the API), or the API's JSON 404.
async fn ui_or_not_found(method: Method, uri: Uri) -> Response {
    match attune_web::respond(&method, uri.path()) {
        Some(page) => page,
        None => not_found().await.into_response(),
    }
}

/// The documented operations of every route module, for the OpenAPI document
/// (`crate::openapi`).
pub fn documented() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        health::Doc::openapi(),
        docs::Doc::openapi(),
        audit::Doc::openapi(),
        auth::Doc::openapi(),
        webhooks::Doc::openapi(),
        packs::Doc::openapi(),
        secret_bindings::Doc::openapi(),
        components::Doc::openapi(),
        executions::Doc::openapi(),
        artifacts::Doc::openapi(),
        workflows::Doc::openapi(),
        operations::Doc::openapi(),
        rules::Doc::openapi(),
        policies::Doc::openapi(),
        inquiries::Doc::openapi(),
        events::Doc::openapi(),
        identities::Doc::openapi(),
        permissions::Doc::openapi(),
        keys::Doc::openapi(),
        stream::Doc::openapi(),
    ]
}
