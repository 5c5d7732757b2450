//! `/api/v1/events` and `/api/v1/enforcements`: what fired and what the rules made of it.

use attune_domain::Id;
use attune_domain::event::{Enforcement, Event};
use attune_domain::status::EnforcementStatus;
use attune_services::ServiceError;
use attune_store::{EnforcementFilter, EventFilter};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::envelope::{Data, Paged, data, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query, query_time};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/events", get(list_events))
        .route("/api/v1/events/{id}", get(show_event))
        .route("/api/v1/enforcements", get(list_enforcements))
        .route("/api/v1/enforcements/{id}", get(show_enforcement))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_events, show_event, list_enforcements, show_enforcement))]
pub struct Doc;

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EventQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only events of this trigger ref.
    trigger: Option<String>,
    /// Only events from this source (sensor or webhook) ref.
    source: Option<String>,
    /// Only events created at or after this RFC 3339 time.
    #[param(format = DateTime)]
    since: Option<String>,
}

/// List events, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = OK, description = "A page of events", body = Paged<Event>)))]
async fn list_events(State(state): State<ApiState>, Query(query): Query<EventQuery>) -> ApiResult<axum::Json<Value>> {
    let filter = EventFilter {
        trigger_ref: query.trigger,
        source_ref: query.source,
        since: query_time("since", query.since.as_deref())?,
    };
    let events = state.platform.store.list_events(&filter, page_request(query.page, query.page_size)).await;
    Ok(page(events.map_err(ServiceError::from)?))
}

/// Show one event.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    responses((status = OK, description = "The event", body = Data<Event>)))]
async fn show_event(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_event(id).await.map_err(ServiceError::from)?))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EnforcementQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only enforcements of this rule ref.
    rule: Option<String>,
    /// Only enforcements of this event.
    event: Option<Id>,
    /// Only enforcements in this status.
    #[param(value_type = Option<attune_domain::status::EnforcementStatus>)]
    status: Option<String>,
    /// Only enforcements created at or after this RFC 3339 time.
    #[param(format = DateTime)]
    since: Option<String>,
}

/// List enforcements, newest first.
#[utoipa::path(get, path = "/api/v1/enforcements", tag = "events", params(EnforcementQuery),
    responses((status = OK, description = "A page of enforcements", body = Paged<Enforcement>)))]
async fn list_enforcements(
    State(state): State<ApiState>,
    Query(query): Query<EnforcementQuery>,
) -> ApiResult<axum::Json<Value>> {
    let status = query
        .status
        .as_deref()
        .map(str::parse::<EnforcementStatus>)
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()))?;
    let filter = EnforcementFilter {
        rule_ref: query.rule,
        event: query.event,
        status,
        since: query_time("since", query.since.as_deref())?,
    };
    let enforcements = state.platform.store.list_enforcements(&filter, page_request(query.page, query.page_size)).await;
    Ok(page(enforcements.map_err(ServiceError::from)?))
}

/// Show one enforcement.
#[utoipa::path(get, path = "/api/v1/enforcements/{id}", tag = "events",
    responses((status = OK, description = "The enforcement", body = Data<Enforcement>)))]
async fn show_enforcement(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_enforcement(id).await.map_err(ServiceError::from)?))
}
