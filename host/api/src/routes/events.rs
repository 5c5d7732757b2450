//! `/api/v1/events` and `/api/v1/enforcements`: what fired and what the rules made of it.

use attune_domain::Id;
use attune_domain::status::EnforcementStatus;
use attune_services::ServiceError;
use attune_store::{EnforcementFilter, EventFilter};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;

use crate::envelope::{data, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/events", get(list_events))
        .route("/api/v1/events/{id}", get(show_event))
        .route("/api/v1/enforcements", get(list_enforcements))
        .route("/api/v1/enforcements/{id}", get(show_enforcement))
}

fn since(value: Option<&str>) -> Result<Option<attune_domain::Timestamp>, ApiError> {
    value
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.to_utc())
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", format!("since: {e}")))
        })
        .transpose()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    page: Option<u32>,
    page_size: Option<u32>,
    trigger: Option<String>,
    source: Option<String>,
    since: Option<String>,
}

async fn list_events(State(state): State<ApiState>, Query(query): Query<EventQuery>) -> ApiResult<axum::Json<Value>> {
    let filter = EventFilter { trigger_ref: query.trigger, source_ref: query.source, since: since(query.since.as_deref())? };
    let events = state.platform.store.list_events(&filter, page_request(query.page, query.page_size)).await;
    Ok(page(events.map_err(ServiceError::from)?))
}

async fn show_event(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_event(id).await.map_err(ServiceError::from)?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EnforcementQuery {
    page: Option<u32>,
    page_size: Option<u32>,
    rule: Option<String>,
    event: Option<Id>,
    status: Option<String>,
    since: Option<String>,
}

async fn list_enforcements(State(state): State<ApiState>, Query(query): Query<EnforcementQuery>) -> ApiResult<axum::Json<Value>> {
    let status = query
        .status
        .as_deref()
        .map(str::parse::<EnforcementStatus>)
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()))?;
    let filter = EnforcementFilter { rule_ref: query.rule, event: query.event, status, since: since(query.since.as_deref())? };
    let enforcements = state.platform.store.list_enforcements(&filter, page_request(query.page, query.page_size)).await;
    Ok(page(enforcements.map_err(ServiceError::from)?))
}

async fn show_enforcement(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_enforcement(id).await.map_err(ServiceError::from)?))
}
