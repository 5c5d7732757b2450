//! `GET /api/v1/audit`: the audit log, for administrators (`execute` on `audit`, which only
//! `admin` holds among the built-in roles: `view` on everything, which viewers and
//! operators hold, does not reach it).

use attune_domain::audit::AuditEntry;
use attune_services::audit;
use attune_store::AuditFilter;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::envelope::{Paged, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, query_time};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new().route("/api/v1/audit", get(list))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Doc;

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only what this login did.
    actor: Option<String>,
    /// Only this act: `PUT /api/v1/rules/{rule_ref}` (method and route template),
    /// `key.decrypt`, `secret.decrypt`, `secret.refused`.
    action: Option<String>,
    /// Only acts on this kind of resource (`rule`, `policy`, `key`, `execution`, ...).
    resource_type: Option<String>,
    /// Only acts on this resource (its ref, login, name or id).
    resource_ref: Option<String>,
    /// Only this outcome: `ok`, `refused` or `failed`.
    outcome: Option<String>,
    /// Only entries at or after this RFC 3339 time.
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only entries before this RFC 3339 time.
    #[param(format = DateTime)]
    until: Option<String>,
}

/// List audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "operations", params(AuditQuery),
    responses((status = OK, description = "A page of audit entries", body = Paged<AuditEntry>)))]
async fn list(State(state): State<ApiState>, Query(query): Query<AuditQuery>) -> ApiResult<axum::Json<Value>> {
    if let Some(outcome) = &query.outcome
        && ![audit::OK, audit::REFUSED, audit::FAILED].contains(&outcome.as_str())
    {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "outcome: expected ok, refused or failed"));
    }
    let filter = AuditFilter {
        actor_login: query.actor,
        action: query.action,
        resource_type: query.resource_type,
        resource_ref: query.resource_ref,
        outcome: query.outcome,
        since: query_time("since", query.since.as_deref())?,
        until: query_time("until", query.until.as_deref())?,
    };
    Ok(page(audit::list(&state.platform, &filter, page_request(query.page, query.page_size)).await?))
}
