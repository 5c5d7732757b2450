//! `/api/v1/inquiries`: questions executions wait on, and their answers.

use attune_domain::Id;
use attune_domain::inquiry::Inquiry;
use attune_domain::status::InquiryStatus;
use attune_services::auth::Caller;
use attune_services::inquiries;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::envelope::{Data, Paged, data, page, page_request};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/inquiries", get(list))
        .route("/api/v1/inquiries/{id}", get(show))
        .route("/api/v1/inquiries/{id}/respond", post(respond))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, show, respond))]
pub struct Doc;

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only inquiries in this status.
    status: Option<InquiryStatus>,
    /// Only inquiries assigned to the caller (by login, or through a permission set held).
    mine: Option<bool>,
}

/// List inquiries, newest first.
#[utoipa::path(get, path = "/api/v1/inquiries", tag = "inquiries", params(ListQuery),
    responses((status = OK, description = "A page of inquiries", body = Paged<Inquiry>)))]
async fn list(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<ListQuery>,
) -> ApiResult<axum::Json<Value>> {
    let request = page_request(query.page, query.page_size);
    let mine = query.mine.unwrap_or(false);
    Ok(page(inquiries::list(&state.platform, &caller, query.status, mine, request).await?))
}

/// Show one inquiry.
#[utoipa::path(get, path = "/api/v1/inquiries/{id}", tag = "inquiries",
    responses((status = OK, description = "The inquiry", body = Data<Inquiry>)))]
async fn show(State(state): State<ApiState>, Path(id): Path<Id>) -> ApiResult<axum::Json<Value>> {
    Ok(data(inquiries::get(&state.platform, id).await?))
}

/// An answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RespondBody {
    /// The answer; it must satisfy the inquiry's schema.
    #[schema(value_type = Object)]
    response: Value,
}

/// Answer an inquiry: its execution completes with the answer as its result. An assignee
/// or a holder of `respond` on inquiries of the asking pack may answer; once.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/respond", tag = "inquiries", request_body = RespondBody,
    responses(
        (status = OK, description = "The answered inquiry", body = Data<Inquiry>),
        (status = FORBIDDEN, description = "Not an assignee, and no respond grant"),
        (status = CONFLICT, description = "Answered, timed out or withdrawn already"),
        (status = UNPROCESSABLE_ENTITY, description = "The answer does not fit the schema; each field listed"),
    ))]
async fn respond(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<Id>,
    Json(body): Json<RespondBody>,
) -> ApiResult<axum::Json<Value>> {
    Ok(data(inquiries::respond(&state.platform, &caller, id, body.response).await?))
}
