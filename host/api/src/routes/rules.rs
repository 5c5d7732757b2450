//! `/api/v1/rules`: create, update, delete, enable, disable, list, show.

use attune_domain::identity::Verb;
use attune_domain::rule::{NewRule, Rule};
use attune_services::auth::Caller;
use attune_services::rbac::{Need, pack_of};
use attune_services::rules;
use attune_store::RuleFilter;
use axum::extract::State;
use axum::http::StatusCode;
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
        .route("/api/v1/rules", get(list).post(create))
        .route("/api/v1/rules/{rule_ref}", get(show).put(update).delete(remove))
        .route("/api/v1/rules/{rule_ref}/enable", post(enable))
        .route("/api/v1/rules/{rule_ref}/disable", post(disable))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, show, update, remove, enable, disable))]
pub struct Doc;

/// A rule as clients write it: the pack file format.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RuleInput)]
struct RuleBody {
    /// `pack.name`; required when creating, the path's ref when updating.
    #[serde(rename = "ref")]
    rule_ref: Option<String>,
    /// Display name (default: the name part of the ref).
    label: Option<String>,
    /// What the rule is for.
    description: Option<String>,
    /// The trigger it listens to.
    trigger: String,
    /// Parameters of the trigger.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    trigger_parameters: Option<Value>,
    /// Conditions on the event payload.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    criteria: Option<Value>,
    /// The action it runs.
    action: String,
    /// Parameters of the action (templates over the event).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    parameters: Option<Value>,
    /// Default true.
    enabled: Option<bool>,
}

impl RuleBody {
    fn into_rule(self, default_ref: Option<&str>, author: &Caller) -> NewRule {
        let rule_ref = self.rule_ref.or(default_ref.map(str::to_owned)).unwrap_or_default();
        let empty = || Value::Object(Default::default());
        NewRule {
            label: self
                .label
                .unwrap_or_else(|| rule_ref.split_once('.').map_or(rule_ref.clone(), |(_, n)| n.to_owned())),
            r#ref: rule_ref,
            description: self.description,
            trigger_ref: self.trigger,
            trigger_params: self.trigger_parameters.unwrap_or_else(empty),
            criteria: self.criteria.unwrap_or_else(empty),
            action_ref: self.action,
            action_params: self.parameters.unwrap_or_else(empty),
            enabled: self.enabled.unwrap_or(true),
            author: Some(author.identity_id),
        }
    }
}

/// Create a rule.
#[utoipa::path(post, path = "/api/v1/rules", tag = "rules", request_body = RuleBody,
    responses((status = CREATED, description = "The rule", body = Data<Rule>)))]
async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<RuleBody>,
) -> ApiResult<(StatusCode, axum::Json<Value>)> {
    let rule = body.into_rule(None, &caller);
    // The access table cannot see the body: the rule's pack is checked here.
    caller.require(Need::new("rule", Verb::Create).in_pack(pack_of(&rule.r#ref)))?;
    may_run(&caller, &rule)?;
    Ok((StatusCode::CREATED, data(rules::create(&state.platform, rule).await?)))
}

/// Replace a rule.
#[utoipa::path(put, path = "/api/v1/rules/{rule_ref}", tag = "rules", request_body = RuleBody,
    responses((status = OK, description = "The rule", body = Data<Rule>)))]
async fn update(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(rule_ref): Path<String>,
    Json(body): Json<RuleBody>,
) -> ApiResult<axum::Json<Value>> {
    let rule = body.into_rule(Some(&rule_ref), &caller);
    caller.require(Need::new("rule", Verb::Modify).in_pack(pack_of(&rule_ref)))?;
    may_run(&caller, &rule)?;
    Ok(data(rules::update(&state.platform, &rule_ref, rule).await?))
}

/// A rule runs its action on the caller's behalf: only those allowed to run it may set it.
fn may_run(caller: &Caller, rule: &NewRule) -> ApiResult<()> {
    Ok(caller.require(Need::new("action", Verb::Execute).in_pack(pack_of(&rule.action_ref)))?)
}

/// Delete a rule.
#[utoipa::path(delete, path = "/api/v1/rules/{rule_ref}", tag = "rules",
    responses((status = NO_CONTENT, description = "Deleted")))]
async fn remove(State(state): State<ApiState>, Path(rule_ref): Path<String>) -> ApiResult<StatusCode> {
    rules::delete(&state.platform, &rule_ref).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a rule.
#[utoipa::path(post, path = "/api/v1/rules/{rule_ref}/enable", tag = "rules",
    responses((status = OK, description = "The rule", body = Data<Rule>)))]
async fn enable(State(state): State<ApiState>, Path(rule_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(rules::set_enabled(&state.platform, &rule_ref, true).await?))
}

/// Disable a rule.
#[utoipa::path(post, path = "/api/v1/rules/{rule_ref}/disable", tag = "rules",
    responses((status = OK, description = "The rule", body = Data<Rule>)))]
async fn disable(State(state): State<ApiState>, Path(rule_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(rules::set_enabled(&state.platform, &rule_ref, false).await?))
}

/// Show one rule.
#[utoipa::path(get, path = "/api/v1/rules/{rule_ref}", tag = "rules",
    responses((status = OK, description = "The rule", body = Data<Rule>)))]
async fn show(State(state): State<ApiState>, Path(rule_ref): Path<String>) -> ApiResult<axum::Json<Value>> {
    Ok(data(rules::get(&state.platform, &rule_ref).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1-based page (default 1).
    page: Option<u32>,
    /// Rows per page (default 50; more than 1000 counts as 1000).
    page_size: Option<u32>,
    /// Only rules of this pack.
    pack: Option<String>,
    /// Only rules on this trigger.
    trigger: Option<String>,
    /// Only rules running this action.
    action: Option<String>,
    /// Only enabled (or disabled) rules.
    enabled: Option<bool>,
}

/// List rules.
#[utoipa::path(get, path = "/api/v1/rules", tag = "rules", params(ListQuery),
    responses((status = OK, description = "A page of rules", body = Paged<Rule>)))]
async fn list(State(state): State<ApiState>, Query(query): Query<ListQuery>) -> ApiResult<axum::Json<Value>> {
    let filter =
        RuleFilter { pack: query.pack, trigger_ref: query.trigger, action_ref: query.action, enabled: query.enabled };
    Ok(page(rules::list(&state.platform, &filter, page_request(query.page, query.page_size)).await?))
}
