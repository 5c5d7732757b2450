//! `/api/v1/webhooks`: managing webhooks, and posting to them.
//!
//! These routes authenticate in their handlers: a post may prove itself with a signature
//! instead of a token.

use std::collections::BTreeMap;

use attune_domain::Id;
use attune_domain::webhook::Webhook;
use attune_services::webhooks::{self, Post, Proof};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::{Authenticated, bearer_token};
use crate::envelope::{Data, PageQuery, Paged, data, page};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route("/api/v1/webhooks/{name}", get(show).delete(remove).post(fire))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, show, remove, fire))]
pub struct Doc;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewWebhook)]
struct CreateBody {
    /// Unique name; the webhook's URL is `/api/v1/webhooks/<name>`.
    name: String,
    /// What it is for.
    description: Option<String>,
    /// Enables signed posts (HMAC-SHA256 of the body with this secret).
    secret: Option<String>,
    /// Requires signed timestamps (`X-Attune-Timestamp`, signed as `<timestamp>.<body>`)
    /// no further than this many seconds from the server's clock (1 to 86400); each
    /// signature is then accepted once. Needs `secret`.
    replay_window_s: Option<i64>,
}

/// Register a webhook.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = CreateBody,
    responses((status = CREATED, description = "The webhook", body = Data<Described>)))]
async fn create(
    State(state): State<ApiState>,
    Authenticated(caller): Authenticated,
    Json(body): Json<CreateBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let webhook =
        webhooks::create(&state.platform, &body.name, body.description, body.secret, body.replay_window_s).await?;
    tracing::info!(webhook = %webhook.name, by = %caller.login, signed = webhook.has_secret(), "webhook registered");
    Ok((StatusCode::CREATED, data(described(webhook))))
}

/// List webhooks.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", params(PageQuery),
    responses((status = OK, description = "A page of webhooks", body = Paged<Described>)))]
async fn list(
    State(state): State<ApiState>,
    _caller: Authenticated,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<Value>> {
    let found = webhooks::list(&state.platform, query.request()).await?;
    Ok(page(found.map(described)))
}

/// Show one webhook.
#[utoipa::path(get, path = "/api/v1/webhooks/{name}", tag = "webhooks",
    responses((status = OK, description = "The webhook", body = Data<Described>)))]
async fn show(
    State(state): State<ApiState>,
    _caller: Authenticated,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(described(webhooks::get(&state.platform, &name).await?)))
}

/// Delete a webhook.
#[utoipa::path(delete, path = "/api/v1/webhooks/{name}", tag = "webhooks",
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(
    State(state): State<ApiState>,
    _caller: Authenticated,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    webhooks::delete(&state.platform, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A webhook as shown: whether it has a secret, never the secret.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookView)]
struct Described {
    #[serde(flatten)]
    webhook: Webhook,
    /// Whether posts may prove themselves with a signature.
    signed: bool,
    /// Where to post.
    url: String,
}

fn described(webhook: Webhook) -> Described {
    let url = format!("/api/v1/webhooks/{}", webhook.name);
    Described { signed: webhook.has_secret(), webhook, url }
}

/// What a post to a webhook made.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookPosted)]
struct Fired {
    /// The event recorded.
    event: Id,
}

/// Post to a webhook: the body becomes an event's payload.
///
/// Proof is a bearer credential with `execute` on `webhook`, or, for a webhook with a
/// secret, the body's HMAC-SHA256 in `X-Attune-Signature` (or `X-Hub-Signature-256`) —
/// of `<timestamp>.<body>` when `X-Attune-Timestamp` is sent, which makes the post
/// acceptable once and only within the webhook's replay window. Headers that carry
/// credentials (authorization, cookies, names with token, key, secret, signature...) are
/// left out of the event.
#[utoipa::path(post, path = "/api/v1/webhooks/{name}", tag = "webhooks",
    request_body(content = Value, description = "Any JSON payload"),
    params(
        ("x-attune-signature" = Option<String>, Header, description = "`sha256=` and the hex HMAC-SHA256 of the body, or of `<timestamp>.<body>`"),
        ("x-attune-timestamp" = Option<i64>, Header, description = "When the post was signed, in unix seconds"),
    ),
    responses(
        (status = ACCEPTED, description = "The event recorded", body = Data<Fired>),
        (status = SERVICE_UNAVAILABLE, description = "Overloaded: too many events and executions are waiting (`server.max_backlog`); `Retry-After` says when to try again", body = ErrorBody),
    ))]
async fn fire(
    State(state): State<ApiState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    // Before checking credentials or signatures: a refusal must cost next to nothing.
    state.shedding.admit()?;
    let signature = ["x-attune-signature", "x-hub-signature-256"]
        .iter()
        .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()).map(str::to_owned));
    let proof = match (bearer_token(&headers)?, signature) {
        (Some(token), _) => Some(Proof::Caller(attune_services::auth::authenticate(&state.platform, token).await?)),
        (None, Some(signature)) => Some(Proof::Signature(signature)),
        (None, None) => None,
    };
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_lowercase(), v.to_owned())))
        .collect();
    let event = webhooks::fire(&state.platform, Post { name, headers, body: body.to_vec() }, proof).await?;
    Ok((StatusCode::ACCEPTED, data(Fired { event: event.id })))
}
