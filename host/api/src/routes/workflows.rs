//! Workflows: `/api/v1/workflows` (definitions with their graph) and, for a workflow
//! execution, `/api/v1/executions/{id}/workflow` (the graph with each task's state),
//! `pause` and `resume`. Re-running from a task is `POST /api/v1/executions/{id}/rerun`
//! with a `task`.

use attune_domain::Id;
use attune_services::ServiceError;
use attune_services::workflows::{self, RunView, WorkflowDefinitionView};
use attune_store::ComponentFilter;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::envelope::{Data, ListParams, Paged, data, page};
use crate::error::ApiResult;
use crate::extract::{OptionalJson, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/workflows", get(list))
        .route("/api/v1/workflows/{workflow_ref}", get(show))
        .route("/api/v1/executions/{id}/workflow", get(run))
        .route("/api/v1/executions/{id}/pause", post(pause))
        .route("/api/v1/executions/{id}/resume", post(resume))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, show, run, pause, resume))]
pub struct Doc;

/// List workflow definitions with their graph, optionally of one pack.
#[utoipa::path(get, path = "/api/v1/workflows", tag = "workflows", params(ListParams),
    responses((status = OK, description = "A page of workflows", body = Paged<WorkflowDefinitionView>)))]
async fn list(State(state): State<ApiState>, Query(params): Query<ListParams>) -> ApiResult<axum::Json<Value>> {
    let filter = ComponentFilter { pack: params.pack.clone() };
    let definitions = state
        .platform
        .store
        .list_workflow_definitions(&filter, params.page_request())
        .await
        .map_err(ServiceError::from)?;
    let mut views = Vec::with_capacity(definitions.items.len());
    for definition in definitions.items {
        views.push(workflows::definition_view(definition)?);
    }
    Ok(page(attune_domain::page::Page { items: views, request: definitions.request, total: definitions.total }))
}

/// Show one workflow definition (`pack.name`) with its graph: tasks, and edges with their
/// conditions.
#[utoipa::path(get, path = "/api/v1/workflows/{workflow_ref}", tag = "workflows",
    responses((status = OK, description = "The workflow", body = Data<WorkflowDefinitionView>)))]
async fn show(State(state): State<ApiState>, Path(workflow_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    let definition = state.platform.store.get_workflow_definition(&workflow_ref).await.map_err(ServiceError::from)?;
    Ok(data(workflows::definition_view(definition)?))
}

/// The run of a workflow execution: its graph with each task's state, attempts, child
/// executions and timings, and its variables (secret ones masked).
#[utoipa::path(get, path = "/api/v1/executions/{id}/workflow", tag = "workflows",
    responses((status = OK, description = "The run", body = Data<RunView>)))]
async fn run(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(workflows::view(&state.platform, id).await?))
}

/// Why a workflow is paused.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PauseRequest)]
struct PauseBody {
    /// Shown with the run.
    reason: Option<String>,
}

/// Pause a running workflow: no task starts until it is resumed (tasks running go on).
#[utoipa::path(post, path = "/api/v1/executions/{id}/pause", tag = "workflows",
    request_body(content = Option<PauseBody>, description = "Why"),
    responses((status = OK, description = "The run", body = Data<RunView>)))]
async fn pause(
    State(state): State<ApiState>,
    Path(id): Path<Id>,
    OptionalJson(body): OptionalJson<PauseBody>,
) -> ApiResult<axum::Json<Value>> {
    let reason = body.reason.map(|reason| reason.chars().take(500).collect());
    Ok(data(workflows::pause(&state.platform, id, reason).await?))
}

/// Resume a paused workflow: what waited starts now.
#[utoipa::path(post, path = "/api/v1/executions/{id}/resume", tag = "workflows",
    responses((status = OK, description = "The run", body = Data<RunView>)))]
async fn resume(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(workflows::resume(&state.platform, id).await?))
}
