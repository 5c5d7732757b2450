//! `/api/v1/webhooks`: managing webhooks, and posting to them.
//!
//! These routes authenticate in their handlers: a post may prove itself with a signature
//! instead of a token.

use std::collections::BTreeMap;

use attune_services::webhooks::{self, Post, Proof};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Authenticated, bearer_token};
use crate::envelope::{data, page, page_request};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route("/api/v1/webhooks/{name}", get(show).delete(remove).post(fire))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    description: Option<String>,
    /// Enables signed posts (HMAC-SHA256 of the body with this secret).
    secret: Option<String>,
}

async fn create(
    State(state): State<ApiState>,
    Authenticated(caller): Authenticated,
    Json(body): Json<CreateBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let webhook = webhooks::create(&state.platform, &body.name, body.description, body.secret).await?;
    tracing::info!(webhook = %webhook.name, by = %caller.login, signed = webhook.has_secret(), "webhook registered");
    Ok((StatusCode::CREATED, data(described(&webhook))))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<u32>,
    page_size: Option<u32>,
}

async fn list(State(state): State<ApiState>, _caller: Authenticated, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    let found = webhooks::list(&state.platform, page_request(query.page, query.page_size)).await?;
    Ok(page(found.map(|w| described(&w))))
}

async fn show(State(state): State<ApiState>, _caller: Authenticated, Path(name): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(described(&webhooks::get(&state.platform, &name).await?)))
}

async fn remove(State(state): State<ApiState>, _caller: Authenticated, Path(name): Path<String>) -> ApiResult<StatusCode> {
    webhooks::delete(&state.platform, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A webhook as shown: whether it has a secret, never the secret.
fn described(webhook: &attune_domain::webhook::Webhook) -> Value {
    let mut shown = serde_json::to_value(webhook).unwrap_or_default();
    shown["signed"] = json!(webhook.has_secret());
    shown["url"] = json!(format!("/api/v1/webhooks/{}", webhook.name));
    shown
}

/// `POST /api/v1/webhooks/{name}` → `202 {"data": {"event": <id>}}`.
async fn fire(
    State(state): State<ApiState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
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
    Ok((StatusCode::ACCEPTED, data(json!({ "event": event.id }))))
}
