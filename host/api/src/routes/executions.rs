//! `/api/v1/executions`: request, list, show, children, output (optionally followed live),
//! cancel and re-run; and `POST /api/v1/actions/{ref}/execute`.

use std::convert::Infallible;
use std::time::Duration;

use attune_domain::Id;
use attune_domain::execution::ExecutionFilter;
use attune_domain::identity::Verb;
use attune_domain::page::PageRequest;
use attune_domain::status::ExecutionStatus;
use attune_services::auth::Caller;
use attune_services::executions::{self, ExecutionRequest};
use attune_services::rbac::{Need, pack_of};
use attune_services::{Platform, ServiceError};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::envelope::{data, page, page_request};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/executions", get(list).post(create))
        .route("/api/v1/actions/{action_ref}/execute", post(execute_action))
        .route("/api/v1/executions/{id}", get(show))
        .route("/api/v1/executions/{id}/children", get(children))
        .route("/api/v1/executions/{id}/output", get(output))
        .route("/api/v1/executions/{id}/cancel", post(cancel))
        .route("/api/v1/executions/{id}/rerun", post(rerun))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    action_ref: String,
    #[serde(default)]
    parameters: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecuteBody {
    #[serde(default)]
    parameters: Value,
}

async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    // The access table cannot see the body: the action's pack is checked here.
    caller.require(Need::new("action", Verb::Execute).in_pack(pack_of(&body.action_ref)))?;
    // An unknown action in a body is a bad field, not a missing route.
    let request = ExecutionRequest { action_ref: body.action_ref.clone(), parameters: body.parameters, executor: Some(caller.identity_id), ..ExecutionRequest::default() };
    let execution = executions::request(&state.platform, request).await.map_err(|error| match error {
        ServiceError::NotFound { entity: "action", .. } => {
            ServiceError::field("action_ref", format!("action '{}' does not exist", body.action_ref))
        }
        other => other,
    })?;
    Ok((StatusCode::CREATED, data(execution)))
}

async fn execute_action(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(action_ref): Path<String>,
    Json(body): Json<ExecuteBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let request = ExecutionRequest { action_ref, parameters: body.parameters, executor: Some(caller.identity_id), ..ExecutionRequest::default() };
    Ok((StatusCode::CREATED, data(executions::request(&state.platform, request).await?)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u32>,
    page_size: Option<u32>,
    /// Comma-separated statuses.
    status: Option<String>,
    action_ref: Option<String>,
    parent: Option<Id>,
    rule: Option<String>,
    /// RFC 3339 timestamp.
    since: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> Result<ExecutionFilter, ApiError> {
        let invalid = |message: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message);
        let statuses = match &self.status {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|s| s.trim().parse::<ExecutionStatus>().map_err(|e| invalid(e.to_string())))
                .collect::<Result<_, _>>()?,
        };
        let since = self
            .since
            .as_deref()
            .map(|s| chrono::DateTime::parse_from_rfc3339(s).map(|t| t.to_utc()).map_err(|e| invalid(format!("since: {e}"))))
            .transpose()?;
        Ok(ExecutionFilter {
            statuses,
            action_ref: self.action_ref.clone(),
            parent: self.parent,
            rule_ref: self.rule.clone(),
            since,
            worker: None,
            enforcement: None,
        })
    }

    fn page(&self) -> PageRequest {
        page_request(self.page, self.page_size)
    }
}

async fn list(State(state): State<ApiState>, Query(query): Query<ListQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(executions::list(&state.platform, &query.filter()?, query.page()).await?))
}

async fn show(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(executions::get(&state.platform, id).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<u32>,
    page_size: Option<u32>,
}

async fn children(State(state): State<ApiState>, Path(id): Path<Id>, Query(query): Query<PageQuery>) -> ApiResult<axum::Json<Value>> {
    executions::get(&state.platform, id).await?;
    let filter = ExecutionFilter { parent: Some(id), ..ExecutionFilter::default() };
    Ok(page(executions::list(&state.platform, &filter, page_request(query.page, query.page_size)).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OutputQuery {
    /// Only lines after this sequence number.
    after: Option<i64>,
    /// At most this many lines (default 1000, at most 10000).
    limit: Option<i64>,
    /// Stream lines as newline-delimited JSON until the execution ends.
    follow: Option<bool>,
}

async fn output(State(state): State<ApiState>, Path(id): Path<Id>, Query(query): Query<OutputQuery>) -> ApiResult<Response> {
    let after = query.after.unwrap_or(0).max(0);
    let limit = query.limit.unwrap_or(1000).clamp(1, 10_000);
    if query.follow == Some(true) {
        executions::get(&state.platform, id).await?;
        return Ok(follow(state.platform.clone(), id, after));
    }
    let (execution, lines) = executions::output(&state.platform, id, after, limit).await?;
    let next = lines.last().map_or(after, |line| line.seq);
    Ok(data(json!({ "status": execution.status, "lines": lines, "next": next })).into_response())
}

/// Newline-delimited JSON: one object per output line as it is stored, then a last object
/// `{"status": ...}` once the execution has ended and every line was sent.
fn follow(platform: Platform, id: Id, mut after: i64) -> Response {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        loop {
            let Ok((execution, lines)) = executions::output(&platform, id, after, 1000).await else { return };
            let more = lines.len() == 1000;
            for line in lines {
                after = line.seq;
                let mut chunk = serde_json::to_vec(&line).unwrap_or_default();
                chunk.push(b'\n');
                if sender.send(Bytes::from(chunk)).await.is_err() {
                    return; // the client went away
                }
            }
            if execution.status.is_terminal() && !more {
                let last = json!({ "status": execution.status, "result": execution.result });
                let _ = sender.send(Bytes::from(format!("{last}\n"))).await;
                return;
            }
            if !more {
                // Output is stored in batches every few tens of milliseconds.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (Ok::<_, Infallible>(chunk), receiver))
    });
    ([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response()
}

async fn cancel(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(executions::cancel(&state.platform, id).await?))
}

async fn rerun(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<Id>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    Ok((StatusCode::CREATED, data(executions::rerun(&state.platform, id, Some(caller.identity_id)).await?)))
}
