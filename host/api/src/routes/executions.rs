//! `/api/v1/executions`: request, list, show, children, output (optionally followed live),
//! cancel and re-run; and `POST /api/v1/actions/{ref}/execute`.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use attune_domain::Id;
use attune_domain::execution::{ExecutionFilter, OutputLine};
use attune_domain::identity::Verb;
use attune_domain::page::PageRequest;
use attune_domain::status::ExecutionStatus;
use attune_services::ServiceError;
use attune_services::auth::Caller;
use attune_services::executions::{self, ExecutionRequest, ExecutionStats, ExecutionView};
use attune_services::rbac::{Need, pack_of};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::envelope::{Data, PageQuery, Paged, data, page, page_request};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, OptionalJson, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/executions", get(list).post(create))
        .route("/api/v1/executions/stats", get(stats))
        .route("/api/v1/actions/{action_ref}/execute", post(execute_action))
        .route("/api/v1/executions/{id}", get(show))
        .route("/api/v1/executions/{id}/children", get(children))
        .route("/api/v1/executions/{id}/output", get(output))
        .route("/api/v1/executions/{id}/cancel", post(cancel))
        .route("/api/v1/executions/{id}/rerun", post(rerun))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, execute_action, show, children, output, cancel, rerun, stats))]
pub struct Doc;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ExecutionRequest)]
struct CreateBody {
    /// The action to run (`pack.name`).
    action_ref: String,
    /// Its parameters, checked against the action's schema.
    #[serde(default)]
    #[schema(value_type = Object)]
    parameters: Value,
    /// Run it this many seconds from now (at most 30 days); `delayed` until then.
    delay_s: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActionExecution)]
struct ExecuteBody {
    /// The action's parameters, checked against its schema.
    #[serde(default)]
    #[schema(value_type = Object)]
    parameters: Value,
    /// Run it this many seconds from now (at most 30 days); `delayed` until then.
    delay_s: Option<u64>,
}

/// Request an execution of the action named in the body.
#[utoipa::path(post, path = "/api/v1/executions", tag = "executions", request_body = CreateBody,
    responses(
        (status = CREATED, description = "The requested execution", body = Data<ExecutionView>),
        (status = SERVICE_UNAVAILABLE, description = "Overloaded: too many events and executions are waiting (`server.max_backlog`); `Retry-After` says when to try again", body = ErrorBody),
    ))]
async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    state.shedding.admit()?;
    // The access table cannot see the body: the action's pack is checked here.
    caller.require(Need::new("action", Verb::Execute).in_pack(pack_of(&body.action_ref)))?;
    // An unknown action in a body is a bad field, not a missing route.
    let request = ExecutionRequest {
        action_ref: body.action_ref.clone(),
        parameters: body.parameters,
        executor: Some(caller.identity_id),
        parent: started_by(&caller),
        delay_s: body.delay_s,
        ..ExecutionRequest::default()
    };
    let execution = executions::request(&state.platform, request).await.map_err(|error| match error {
        ServiceError::NotFound { entity: "action", .. } => {
            ServiceError::field("action_ref", format!("action '{}' does not exist", body.action_ref))
        }
        other => other,
    })?;
    Ok((StatusCode::CREATED, data(execution)))
}

/// Request an execution of an action.
#[utoipa::path(post, path = "/api/v1/actions/{action_ref}/execute", tag = "executions", request_body = ExecuteBody,
    responses(
        (status = CREATED, description = "The requested execution", body = Data<ExecutionView>),
        (status = SERVICE_UNAVAILABLE, description = "Overloaded: too many events and executions are waiting (`server.max_backlog`); `Retry-After` says when to try again", body = ErrorBody),
    ))]
async fn execute_action(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(action_ref): Path<String>,
    Json(body): Json<ExecuteBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    state.shedding.admit()?;
    let request = ExecutionRequest {
        action_ref,
        parameters: body.parameters,
        executor: Some(caller.identity_id),
        parent: started_by(&caller),
        delay_s: body.delay_s,
        ..ExecutionRequest::default()
    };
    Ok((StatusCode::CREATED, data(executions::request(&state.platform, request).await?)))
}

/// The execution whose action asks for a new one (with its token): the new one is its
/// child, which its token may then follow and cancel.
fn started_by(caller: &Caller) -> Option<i64> {
    caller.execution_scope().map(|scope| scope.execution)
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Comma-separated statuses (`running,failed`).
    status: Option<String>,
    /// Only executions of this action.
    action_ref: Option<String>,
    /// Only tasks of this workflow execution.
    parent: Option<Id>,
    /// Only executions caused by this rule.
    rule: Option<String>,
    /// Only executions created at or after this RFC 3339 time.
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only executions assigned to this worker (its id).
    worker: Option<Id>,
    /// Only executions created by this enforcement (a rule's match of an event).
    enforcement: Option<Id>,
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
        let since = crate::extract::query_time("since", self.since.as_deref())?;
        Ok(ExecutionFilter {
            statuses,
            action_ref: self.action_ref.clone(),
            parent: self.parent,
            rule_ref: self.rule.clone(),
            since,
            worker: self.worker,
            enforcement: self.enforcement,
        })
    }

    fn page(&self) -> PageRequest {
        page_request(self.page, self.page_size)
    }
}

/// List executions, newest first.
#[utoipa::path(get, path = "/api/v1/executions", tag = "executions", params(ListQuery),
    responses((status = OK, description = "A page of executions", body = Paged<ExecutionView>)))]
async fn list(State(state): State<ApiState>, Query(query): Query<ListQuery>) -> ApiResult<axum::Json<Value>> {
    Ok(page(executions::list(&state.platform, &query.filter()?, query.page()).await?))
}

/// Show one execution.
#[utoipa::path(get, path = "/api/v1/executions/{id}", tag = "executions",
    responses((status = OK, description = "The execution", body = Data<ExecutionView>)))]
async fn show(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(executions::get(&state.platform, id).await?))
}

/// List the tasks of a workflow execution.
#[utoipa::path(get, path = "/api/v1/executions/{id}/children", tag = "executions", params(PageQuery),
    responses((status = OK, description = "A page of executions", body = Paged<ExecutionView>)))]
async fn children(
    State(state): State<ApiState>,
    Path(id): Path<Id>,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<Value>> {
    executions::get(&state.platform, id).await?;
    let filter = ExecutionFilter { parent: Some(id), ..ExecutionFilter::default() };
    Ok(page(executions::list(&state.platform, &filter, query.request()).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OutputQuery {
    /// Only lines after this sequence number.
    after: Option<i64>,
    /// At most this many lines (default 1000, at most 10000).
    limit: Option<i64>,
    /// Stream lines as newline-delimited JSON until the execution ends.
    follow: Option<bool>,
}

/// Output lines stored so far, and the status.
#[derive(Serialize, ToSchema)]
#[schema(as = ExecutionOutput)]
struct Output {
    /// The execution's status.
    status: ExecutionStatus,
    /// Lines after `after`, oldest first.
    lines: Vec<OutputLine>,
    /// The `after` of the next read.
    next: i64,
}

/// Read an execution's output, or follow it live.
///
/// With `follow=true`, newline-delimited JSON: one output line per line as it is stored,
/// then `{"status", "result"}` once the execution has ended.
#[utoipa::path(get, path = "/api/v1/executions/{id}/output", tag = "executions", params(OutputQuery),
    responses((status = OK, description = "Output lines", content(
        (Data<Output> = "application/json"),
        (String = "application/x-ndjson"),
    ))))]
async fn output(
    State(state): State<ApiState>,
    Path(id): Path<Id>,
    Query(query): Query<OutputQuery>,
) -> ApiResult<Response> {
    let after = query.after.unwrap_or(0).max(0);
    let limit = query.limit.unwrap_or(1000).clamp(1, 10_000);
    if query.follow == Some(true) {
        executions::get(&state.platform, id).await?;
        return Ok(follow(&state, id, after));
    }
    let (execution, lines) = executions::output(&state.platform, id, after, limit).await?;
    let next = lines.last().map_or(after, |line| line.seq);
    Ok(data(Output { status: execution.status, lines, next }).into_response())
}

/// Newline-delimited JSON: one object per output line as it is stored, then a last object
/// `{"status": ...}` once the execution has ended and every line was sent. Ends as soon as
/// the client goes away, whether or not there is anything to send.
fn follow(state: &ApiState, id: Id, mut after: i64) -> Response {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(64);
    let platform = state.platform.clone();
    let open = Following::start(&state.output_followers);
    tokio::spawn(async move {
        let _open = open;
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
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(200)) => {}
                    () = sender.closed() => return, // the client went away
                }
            }
        }
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (Ok::<_, Infallible>(chunk), receiver))
    });
    ([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response()
}

/// One open output stream, counted in [`ApiState::output_followers`] while it lives.
struct Following(Arc<AtomicUsize>);

impl Following {
    fn start(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count.clone())
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Cancel an execution (its workflow tasks too).
#[utoipa::path(post, path = "/api/v1/executions/{id}/cancel", tag = "executions",
    responses((status = OK, description = "The execution", body = Data<ExecutionView>)))]
async fn cancel(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(executions::cancel(&state.platform, id).await?))
}

/// What a re-run changes.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RerunRequest)]
struct RerunBody {
    /// Parameters replacing the original ones of the same name (the others are kept).
    #[schema(value_type = Option<Object>)]
    parameters: Option<Value>,
    /// For a workflow that ended: the task to start from. The variables the original run
    /// published are kept, and the tasks it completed are not run again.
    task: Option<String>,
}

/// Run an execution's action again: the same parameters, or some overridden; a workflow
/// from one of its tasks.
///
/// The body is optional; without one the action runs with exactly the original parameters.
#[utoipa::path(post, path = "/api/v1/executions/{id}/rerun", tag = "executions",
    request_body(content = Option<RerunBody>, description = "Parameters to override"),
    responses(
        (status = CREATED, description = "The new execution", body = Data<ExecutionView>),
        (status = SERVICE_UNAVAILABLE, description = "Overloaded: too many events and executions are waiting (`server.max_backlog`); `Retry-After` says when to try again", body = ErrorBody),
    ))]
async fn rerun(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<Id>,
    OptionalJson(body): OptionalJson<RerunBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    state.shedding.admit()?;
    let executor = Some(caller.identity_id);
    let rerun = match &body.task {
        Some(task) => {
            attune_services::workflows::rerun_from(&state.platform, id, task, executor, body.parameters).await?
        }
        None => executions::rerun(&state.platform, id, executor, body.parameters).await?,
    };
    Ok((StatusCode::CREATED, data(rerun)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// The window, in seconds back from now (default 86400, at most 2592000: 30 days).
    window_s: Option<i64>,
}

/// Executions of the last `window_s` seconds, counted by status and by action.
#[utoipa::path(get, path = "/api/v1/executions/stats", tag = "executions", params(StatsQuery),
    responses((status = OK, description = "Counts", body = Data<ExecutionStats>)))]
async fn stats(State(state): State<ApiState>, Query(query): Query<StatsQuery>) -> ApiResult<axum::Json<Value>> {
    const MAX_WINDOW_S: i64 = 30 * 86_400;
    let window = query.window_s.unwrap_or(86_400);
    if !(1..=MAX_WINDOW_S).contains(&window) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("window_s must be 1 to {MAX_WINDOW_S} seconds"),
        ));
    }
    let since = chrono::Utc::now() - chrono::TimeDelta::seconds(window);
    Ok(data(executions::stats(&state.platform, since).await?))
}
