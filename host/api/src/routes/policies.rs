//! `/api/v1/policies` (create, replace, delete, list, show) and an action's queue
//! (`/api/v1/actions/{ref}/queue`).

use attune_domain::admission::ActionQueue;
use attune_domain::identity::Verb;
use attune_domain::policy::{NewPolicy, Policy};
use attune_services::auth::Caller;
use attune_services::policies;
use attune_services::rbac::{Need, pack_of};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::envelope::{Data, Paged, data, page, page_request};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/policies", get(list).post(create))
        .route("/api/v1/policies/{policy_ref}", get(show).put(update).delete(remove))
        .route("/api/v1/actions/{action_ref}/queue", get(queue))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, show, update, remove, queue))]
pub struct Doc;

/// A policy as clients write it: the pack file format (`policies/<name>.yaml`).
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PolicyInput)]
struct PolicyBody {
    /// `pack.name`; required when creating, the path's ref when replacing.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    policy_ref: Option<String>,
    /// The action it governs.
    action: String,
    /// `concurrency`, `rate_limit` or `retry`.
    #[serde(rename = "type")]
    #[schema(example = "concurrency")]
    policy_type: String,
    /// Concurrency: executions at once; rate limit: executions per window.
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<i64>,
    /// `enqueue` (FIFO, the default) or `cancel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "enqueue")]
    method: Option<String>,
    /// Count separately per distinct value of these parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parameters: Vec<String>,
    /// Rate limit: the window, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    window_s: Option<i64>,
    /// Retry: attempts after the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<i64>,
    /// Retry: seconds before the first retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    delay_s: Option<i64>,
    /// Retry: `fixed` (default) or `exponential` (the delay doubles each retry).
    #[serde(skip_serializing_if = "Option::is_none")]
    backoff: Option<String>,
    /// Retry with exponential backoff: the longest delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    max_delay_s: Option<i64>,
    /// Retry: which ends are retried (`failed`, `timeout`; default both).
    #[serde(skip_serializing_if = "Option::is_none")]
    on: Option<Vec<String>>,
    /// Default true.
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
}

impl PolicyBody {
    /// The policy, checked like a pack file, stored under `policy_ref`.
    fn into_policy(mut self, policy_ref: &str) -> ApiResult<NewPolicy> {
        self.policy_ref = None;
        let body = serde_json::to_value(&self).map_err(|e| attune_services::ServiceError::Internal(e.to_string()))?;
        Ok(policies::parse(policy_ref, &body)?)
    }
}

/// A policy acts on its action's executions: whoever writes one needs the grant in the
/// action's pack as well as in its own.
/// Checked before the body is: a caller without the grants learns nothing from it.
fn may_govern(caller: &Caller, verb: Verb, policy_ref: &str, action_ref: &str) -> ApiResult<()> {
    caller.require(Need::new("policy", verb).in_pack(pack_of(policy_ref)))?;
    Ok(caller.require(Need::new("policy", verb).in_pack(pack_of(action_ref)))?)
}

/// Create a policy.
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyBody,
    responses((status = CREATED, description = "The policy", body = Data<Policy>)))]
async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PolicyBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let policy_ref = body.policy_ref.clone().unwrap_or_default();
    may_govern(&caller, Verb::Create, &policy_ref, &body.action)?;
    let policy = body.into_policy(&policy_ref)?;
    Ok((StatusCode::CREATED, data(policies::create(&state.platform, policy).await?)))
}

/// Replace a policy.
#[utoipa::path(put, path = "/api/v1/policies/{policy_ref}", tag = "policies", request_body = PolicyBody,
    responses((status = OK, description = "The policy", body = Data<Policy>)))]
async fn update(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(policy_ref): Path<String>,
    Json(body): Json<PolicyBody>,
) -> ApiResult<axum::Json<Value>> {
    if let Some(given) = body.policy_ref.as_deref().filter(|given| *given != policy_ref) {
        return Err(attune_services::ServiceError::field(
            "ref",
            format!("a policy's ref cannot change ('{policy_ref}' → '{given}')"),
        )
        .into());
    }
    may_govern(&caller, Verb::Modify, &policy_ref, &body.action)?;
    let policy = body.into_policy(&policy_ref)?;
    Ok(data(policies::update(&state.platform, &policy_ref, policy).await?))
}

/// Delete a policy.
#[utoipa::path(delete, path = "/api/v1/policies/{policy_ref}", tag = "policies",
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(State(state): State<ApiState>, Path(policy_ref): Path<String>) -> ApiResult<StatusCode> {
    policies::delete(&state.platform, &policy_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show one policy.
#[utoipa::path(get, path = "/api/v1/policies/{policy_ref}", tag = "policies",
    responses((status = OK, description = "The policy", body = Data<Policy>)))]
async fn show(State(state): State<ApiState>, Path(policy_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(policies::get(&state.platform, &policy_ref).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only policies of this action.
    action: Option<String>,
}

/// List policies.
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(ListQuery),
    responses((status = OK, description = "A page of policies", body = Paged<Policy>)))]
async fn list(State(state): State<ApiState>, Query(query): Query<ListQuery>) -> ApiResult<axum::Json<Value>> {
    let request = page_request(query.page, query.page_size);
    Ok(page(policies::list(&state.platform, query.action.as_deref(), request).await?))
}

/// An action's queue: executions under way, queue depth, and each waiting execution's
/// position in its policy group.
#[utoipa::path(get, path = "/api/v1/actions/{action_ref}/queue", tag = "policies",
    responses((status = OK, description = "The queue", body = Data<ActionQueue>)))]
async fn queue(State(state): State<ApiState>, Path(action_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(policies::queue(&state.platform, &action_ref).await?))
}
