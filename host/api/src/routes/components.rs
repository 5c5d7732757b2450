//! `/api/v1/{actions,triggers,sensors}`: list (optionally by pack) and show by ref.

use attune_domain::action::Action;
use attune_domain::trigger::{Sensor, Trigger};
use attune_services::ServiceError;
use attune_store::ComponentFilter;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::Value;

use crate::envelope::{Data, ListParams, Paged, data, page};
use crate::error::ApiResult;
use crate::extract::{Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/actions", get(list_actions))
        .route("/api/v1/actions/{action_ref}", get(show_action))
        .route("/api/v1/triggers", get(list_triggers))
        .route("/api/v1/triggers/{trigger_ref}", get(show_trigger))
        .route("/api/v1/sensors", get(list_sensors))
        .route("/api/v1/sensors/{sensor_ref}", get(show_sensor))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_actions, show_action, list_triggers, show_trigger, list_sensors, show_sensor))]
pub struct Doc;

fn filter(params: &ListParams) -> ComponentFilter {
    ComponentFilter { pack: params.pack.clone() }
}

/// List actions, optionally of one pack.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions", params(ListParams),
    responses((status = OK, description = "A page of actions", body = Paged<Action>)))]
async fn list_actions(State(state): State<ApiState>, Query(params): Query<ListParams>) -> ApiResult<axum::Json<Value>> {
    let store = &state.platform.store;
    let actions = store.list_actions(&filter(&params), params.page_request()).await.map_err(ServiceError::from)?;
    Ok(page(actions.map(Action::masked)))
}

/// Show one action by ref (`pack.name`).
#[utoipa::path(get, path = "/api/v1/actions/{action_ref}", tag = "actions",
    responses((status = OK, description = "The action", body = Data<Action>)))]
async fn show_action(State(state): State<ApiState>, Path(action_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_action(&action_ref).await.map_err(ServiceError::from)?.masked()))
}

/// List triggers, optionally of one pack.
#[utoipa::path(get, path = "/api/v1/triggers", tag = "triggers", params(ListParams),
    responses((status = OK, description = "A page of triggers", body = Paged<Trigger>)))]
async fn list_triggers(
    State(state): State<ApiState>,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<Value>> {
    let store = &state.platform.store;
    Ok(page(store.list_triggers(&filter(&params), params.page_request()).await.map_err(ServiceError::from)?))
}

/// Show one trigger by ref (`pack.name`).
#[utoipa::path(get, path = "/api/v1/triggers/{trigger_ref}", tag = "triggers",
    responses((status = OK, description = "The trigger", body = Data<Trigger>)))]
async fn show_trigger(State(state): State<ApiState>, Path(trigger_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_trigger(&trigger_ref).await.map_err(ServiceError::from)?))
}

/// List sensors, optionally of one pack.
#[utoipa::path(get, path = "/api/v1/sensors", tag = "sensors", params(ListParams),
    responses((status = OK, description = "A page of sensors", body = Paged<Sensor>)))]
async fn list_sensors(State(state): State<ApiState>, Query(params): Query<ListParams>) -> ApiResult<axum::Json<Value>> {
    let store = &state.platform.store;
    Ok(page(store.list_sensors(&filter(&params), params.page_request()).await.map_err(ServiceError::from)?))
}

/// Show one sensor by ref (`pack.name`).
#[utoipa::path(get, path = "/api/v1/sensors/{sensor_ref}", tag = "sensors",
    responses((status = OK, description = "The sensor", body = Data<Sensor>)))]
async fn show_sensor(State(state): State<ApiState>, Path(sensor_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(state.platform.store.get_sensor(&sensor_ref).await.map_err(ServiceError::from)?))
}
