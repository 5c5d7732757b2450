//! Access control for every route: [`RULES`] maps each route, as registered (method and
//! path pattern), to what it needs; [`authorize`] enforces it as a route layer, so no handler
//! has to remember to.
//!
//! A grant names a resource type, a verb and, for pack components, the pack, which comes
//! from the route ([`PackFrom`]): a component ref in the path, a pack ref, the `pack` filter
//! of a list, or the action of an execution. Where what a request acts on is only in its
//! body, or access depends on ownership (executions requested by body, rules created by
//! body, datastore keys), the rule is [`Access::InHandler`] and the service checks.
//!
//! A route missing from the table is refused (500, logged) rather than left open, and the
//! API tests compare the table with the router's routes, so a new route cannot ship without
//! a rule.

use std::collections::HashMap;

use attune_domain::identity::Verb;
use attune_services::auth::{Caller, ExecutionScope, authenticate};
use attune_services::rbac::{Need, pack_of};
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{Presented, bearer_token};
use crate::error::ApiError;
use crate::state::ApiState;

/// Where the pack of a grant check comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackFrom {
    /// Nowhere: only grants without a pack match.
    Nothing,
    /// The pack part of the component ref in this path parameter.
    Ref(&'static str),
    /// This path parameter, a pack's ref.
    Pack(&'static str),
    /// The `pack` query parameter of a list, when given (otherwise only grants without a
    /// pack match).
    PackFilter,
    /// The pack of the action run by the execution whose id is this path parameter.
    ExecutionAction(&'static str),
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing: health, login, refresh, the API's description.
    Public,
    /// Any valid credential, no grant.
    Authenticated,
    /// A credential whose grants allow `verb` on `resource` (in the pack from `pack`).
    Grant {
        /// Resource type.
        resource: &'static str,
        /// The verb.
        verb: Verb,
        /// Where the pack comes from.
        pack: PackFrom,
    },
    /// A credential of the identity whose login is the path parameter `login`, or one
    /// whose grants allow `verb` on `resource` (API keys and an identity's own record).
    SelfOr {
        /// Resource type.
        resource: &'static str,
        /// The verb.
        verb: Verb,
    },
    /// A credential; the handler's service checks the grants, as described.
    InHandler(&'static str),
    /// A post signed with the webhook's secret needs no credential; with a credential, its
    /// grants must allow `verb` on `resource`.
    SignedOr {
        /// Resource type.
        resource: &'static str,
        /// The verb.
        verb: Verb,
    },
}

/// One route and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// HTTP method (`HEAD` follows `GET`).
    pub method: &'static str,
    /// Path pattern, exactly as registered.
    pub path: &'static str,
    /// What it needs.
    pub access: Access,
}

const fn rule(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule { method, path, access }
}

const fn grant(resource: &'static str, verb: Verb, pack: PackFrom) -> Access {
    Access::Grant { resource, verb, pack }
}

use Access::{Authenticated, InHandler, Public, SelfOr, SignedOr};
use PackFrom::{ExecutionAction, Nothing, Pack, PackFilter, Ref};
use Verb::{Create, Delete, Execute, Modify, View};

/// Every route of the API and what it needs.
pub const RULES: &[Rule] = &[
    rule("GET", "/health", Public),
    rule("GET", "/health/live", Public),
    rule("GET", "/health/ready", Public),
    // No Attune credential: guarded by its own setting (`ops.metrics`: open, the metrics
    // token, or off), checked by the handler.
    rule("GET", "/metrics", Public),
    // The API's description, and Swagger UI over it.
    rule("GET", "/api/v1/openapi.json", Public),
    rule("GET", "/docs", Public),
    rule("GET", "/docs/{asset}", Public),
    // The audit log: administrators only (`view` on everything does not reach it).
    rule("GET", "/api/v1/audit", grant("audit", Execute, Nothing)),
    // Authentication.
    rule("POST", "/api/v1/auth/login", Public),
    rule("POST", "/api/v1/auth/refresh", Public),
    rule("GET", "/api/v1/auth/me", Authenticated),
    rule("POST", "/api/v1/auth/password", Authenticated),
    // Packs and their components.
    rule("GET", "/api/v1/packs", grant("pack", View, Nothing)),
    rule("POST", "/api/v1/packs", InHandler("create on pack, or modify on the archive's pack when it exists")),
    rule("POST", "/api/v1/packs/register", grant("pack", Create, Nothing)),
    rule("GET", "/api/v1/packs/{pack_ref}/versions", grant("pack", View, Pack("pack_ref"))),
    rule("POST", "/api/v1/packs/{pack_ref}/versions/{version}/install", grant("pack", Modify, Pack("pack_ref"))),
    rule("GET", "/api/v1/packs/{pack_ref}/versions/{version}/archive", grant("pack", View, Pack("pack_ref"))),
    rule("GET", "/api/v1/packs/{pack_ref}", grant("pack", View, Pack("pack_ref"))),
    rule("DELETE", "/api/v1/packs/{pack_ref}", grant("pack", Delete, Pack("pack_ref"))),
    rule("GET", "/api/v1/packs/{pack_ref}/secrets", grant("pack", View, Pack("pack_ref"))),
    // Binding a secret: an administrator's (reading any key in clear), who may change the pack.
    rule("PUT", "/api/v1/packs/{pack_ref}/secrets/{name}", grant("key", Execute, Nothing)),
    rule("DELETE", "/api/v1/packs/{pack_ref}/secrets/{name}", grant("key", Execute, Nothing)),
    rule("GET", "/api/v1/actions", grant("action", View, PackFilter)),
    rule("GET", "/api/v1/actions/{action_ref}", grant("action", View, Ref("action_ref"))),
    rule("GET", "/api/v1/triggers", grant("trigger", View, PackFilter)),
    rule("GET", "/api/v1/triggers/{trigger_ref}", grant("trigger", View, Ref("trigger_ref"))),
    rule("GET", "/api/v1/sensors", grant("sensor", View, PackFilter)),
    rule("GET", "/api/v1/sensors/{sensor_ref}", grant("sensor", View, Ref("sensor_ref"))),
    // Executions.
    rule("POST", "/api/v1/actions/{action_ref}/execute", grant("action", Execute, Ref("action_ref"))),
    rule("GET", "/api/v1/executions", grant("execution", View, Nothing)),
    rule("GET", "/api/v1/executions/stats", grant("execution", View, Nothing)),
    rule("POST", "/api/v1/executions", InHandler("execute on action, in the pack of the body's action_ref")),
    rule("GET", "/api/v1/executions/{id}", grant("execution", View, ExecutionAction("id"))),
    rule("GET", "/api/v1/executions/{id}/children", grant("execution", View, ExecutionAction("id"))),
    rule("GET", "/api/v1/executions/{id}/output", grant("execution", View, ExecutionAction("id"))),
    rule("POST", "/api/v1/executions/{id}/cancel", grant("execution", Modify, ExecutionAction("id"))),
    rule("POST", "/api/v1/executions/{id}/rerun", grant("action", Execute, ExecutionAction("id"))),
    // Artifacts: reached through their execution, in the pack of its action.
    rule("GET", "/api/v1/executions/{id}/artifacts", grant("artifact", View, ExecutionAction("id"))),
    rule("GET", "/api/v1/executions/{id}/artifacts/{artifact_id}", grant("artifact", View, ExecutionAction("id"))),
    // Workflows: definitions are actions; a run is its execution's.
    rule("GET", "/api/v1/workflows", grant("action", View, PackFilter)),
    rule("GET", "/api/v1/workflows/{workflow_ref}", grant("action", View, Ref("workflow_ref"))),
    rule("GET", "/api/v1/executions/{id}/workflow", grant("execution", View, ExecutionAction("id"))),
    rule("POST", "/api/v1/executions/{id}/pause", grant("execution", Modify, ExecutionAction("id"))),
    rule("POST", "/api/v1/executions/{id}/resume", grant("execution", Modify, ExecutionAction("id"))),
    // Workers and runtimes.
    rule("GET", "/api/v1/workers", grant("worker", View, Nothing)),
    rule("GET", "/api/v1/workers/{id}", grant("worker", View, Nothing)),
    rule("GET", "/api/v1/runtimes", grant("runtime", View, Nothing)),
    rule("GET", "/api/v1/runtimes/{runtime_ref}", grant("runtime", View, Nothing)),
    // Rules: whoever makes a rule run an action must be allowed to run it.
    rule("GET", "/api/v1/rules", grant("rule", View, PackFilter)),
    rule("POST", "/api/v1/rules", InHandler("create on rule in the pack of the body's ref, and execute on its action")),
    rule("GET", "/api/v1/rules/{rule_ref}", grant("rule", View, Ref("rule_ref"))),
    // Replacing a rule writes a new one: it needs what creating one does (and modify).
    rule("PUT", "/api/v1/rules/{rule_ref}", grant("rule", Create, Ref("rule_ref"))),
    rule("DELETE", "/api/v1/rules/{rule_ref}", grant("rule", Delete, Ref("rule_ref"))),
    rule("POST", "/api/v1/rules/{rule_ref}/enable", grant("rule", Modify, Ref("rule_ref"))),
    rule("POST", "/api/v1/rules/{rule_ref}/disable", grant("rule", Modify, Ref("rule_ref"))),
    // Policies: whoever writes one needs the grant in its action's pack too.
    rule("GET", "/api/v1/policies", grant("policy", View, Nothing)),
    rule("POST", "/api/v1/policies", InHandler("create on policy in the packs of the body's ref and action")),
    rule("GET", "/api/v1/policies/{policy_ref}", grant("policy", View, Ref("policy_ref"))),
    rule("PUT", "/api/v1/policies/{policy_ref}", InHandler("modify on policy in the packs of the ref and action")),
    rule("DELETE", "/api/v1/policies/{policy_ref}", grant("policy", Delete, Ref("policy_ref"))),
    rule("GET", "/api/v1/actions/{action_ref}/queue", grant("action", View, Ref("action_ref"))),
    // Inquiries: assignees answer, and holders of respond in the asking pack.
    rule("GET", "/api/v1/inquiries", grant("inquiry", View, Nothing)),
    rule("GET", "/api/v1/inquiries/{id}", grant("inquiry", View, Nothing)),
    rule("POST", "/api/v1/inquiries/{id}/respond", InHandler("an assignee, or respond on inquiry in the asking pack")),
    // Events and enforcements.
    rule("GET", "/api/v1/events", grant("event", View, Nothing)),
    rule("GET", "/api/v1/events/{id}", grant("event", View, Nothing)),
    rule("GET", "/api/v1/enforcements", grant("enforcement", View, Nothing)),
    rule("GET", "/api/v1/enforcements/{id}", grant("enforcement", View, Nothing)),
    // Webhooks.
    rule("GET", "/api/v1/webhooks", grant("webhook", View, Nothing)),
    rule("POST", "/api/v1/webhooks", grant("webhook", Create, Nothing)),
    rule("GET", "/api/v1/webhooks/{name}", grant("webhook", View, Nothing)),
    rule("DELETE", "/api/v1/webhooks/{name}", grant("webhook", Delete, Nothing)),
    rule("POST", "/api/v1/webhooks/{name}", SignedOr { resource: "webhook", verb: Execute }),
    // Identities, their permission sets and API keys.
    rule("GET", "/api/v1/identities", grant("identity", View, Nothing)),
    rule("POST", "/api/v1/identities", grant("identity", Create, Nothing)),
    rule("GET", "/api/v1/identities/{login}", SelfOr { resource: "identity", verb: View }),
    rule("PATCH", "/api/v1/identities/{login}", grant("identity", Modify, Nothing)),
    rule("DELETE", "/api/v1/identities/{login}", grant("identity", Delete, Nothing)),
    rule("GET", "/api/v1/identities/{login}/permission-sets", SelfOr { resource: "identity", verb: View }),
    rule("GET", "/api/v1/identities/{login}/permission-sets/{set_ref}", SelfOr { resource: "identity", verb: View }),
    rule("PUT", "/api/v1/identities/{login}/permission-sets/{set_ref}", grant("identity", Modify, Nothing)),
    rule("DELETE", "/api/v1/identities/{login}/permission-sets/{set_ref}", grant("identity", Modify, Nothing)),
    rule("GET", "/api/v1/identities/{login}/api-keys", SelfOr { resource: "identity", verb: View }),
    rule("POST", "/api/v1/identities/{login}/api-keys", SelfOr { resource: "identity", verb: Modify }),
    rule("DELETE", "/api/v1/identities/{login}/api-keys/{id}", SelfOr { resource: "identity", verb: Modify }),
    // Permission sets.
    rule("GET", "/api/v1/permission-sets", grant("permission_set", View, Nothing)),
    rule("POST", "/api/v1/permission-sets", grant("permission_set", Create, Nothing)),
    rule("GET", "/api/v1/permission-sets/{set_ref}", grant("permission_set", View, Ref("set_ref"))),
    rule("PUT", "/api/v1/permission-sets/{set_ref}", grant("permission_set", Modify, Ref("set_ref"))),
    rule("DELETE", "/api/v1/permission-sets/{set_ref}", grant("permission_set", Delete, Ref("set_ref"))),
    // The datastore: scopes and ownership decide.
    rule("GET", "/api/v1/keys", InHandler("view on key for the scope listed; none for the caller's own keys")),
    rule("GET", "/api/v1/keys/{name}", InHandler("view on key in the key's scope (execute to decrypt)")),
    rule("PUT", "/api/v1/keys/{name}", InHandler("create or modify on key in the key's scope")),
    rule("DELETE", "/api/v1/keys/{name}", InHandler("delete on key in the key's scope")),
    // Live notices: each is checked against the grants of the route that shows its entity.
    rule("GET", "/api/v1/stream", InHandler("view on each notice's entity (in the pack of an execution's action)")),
];

/// The rule of a route.
pub fn rule_for(method: &Method, path: &str) -> Option<&'static Rule> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    RULES.iter().find(|rule| rule.method == method && rule.path == path)
}

/// The route layer: authenticates the caller where the route's rule asks for it, checks the
/// rule's grant, and hands the [`Caller`] (with its grants) to the handler as a request
/// extension. Answers 401 without a valid credential and 403 `forbidden` naming the missing
/// grant.
pub async fn authorize(State(state): State<ApiState>, request: Request, next: Next) -> Result<Response, ApiError> {
    let path = request.extensions().get::<MatchedPath>().map(|matched| matched.as_str().to_owned());
    let Some(rule) = path.as_deref().and_then(|path| rule_for(request.method(), path)) else {
        // A programming error, refused rather than left open: the API tests catch it.
        tracing::error!(method = %request.method(), path = ?path, "route without an access rule");
        return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"));
    };
    let (mut parts, body) = request.into_parts();
    let params: Vec<(String, String)> = RawPathParams::from_request_parts(&mut parts, &state)
        .await
        .map(|raw| raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
        .unwrap_or_default();
    let mut request = Request::from_parts(parts, body);
    let mut pending = crate::audit::begin(&state, &request, rule.path, &params);
    if let Some(pending) = &mut pending {
        pending.read_before(&state).await;
    }
    let mut caller = None;
    let response = match admit(&state, rule, &params.into_iter().collect(), &mut request, &mut caller).await {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    };
    Ok(match pending {
        Some(pending) => pending.finish(&state, caller.as_ref(), response).await,
        None => response,
    })
}

/// Decides whether `request` may go on under `rule`: authenticates its credential (the
/// caller, once known, is put in `caller` and in the request's extensions) and checks what
/// the rule needs.
async fn admit(
    state: &ApiState,
    rule: &Rule,
    params: &HashMap<String, String>,
    request: &mut Request,
    caller: &mut Option<Caller>,
) -> Result<(), ApiError> {
    let credential = match bearer_token(request.headers())? {
        Some(token) => Some(token.to_owned()),
        None => websocket_token(request),
    };
    let credential = match (rule.access, credential.as_deref()) {
        (Access::Public, _) | (Access::SignedOr { .. }, None) => return Ok(()),
        (_, Some(credential)) => credential,
        (_, None) => {
            return Err(ApiError::unauthorized("missing Authorization header (expected 'Bearer <token>')"));
        }
    };
    let known = caller.insert(authenticate(&state.platform, credential).await?);
    if let Some(scope) = known.execution_scope() {
        within_execution_scope(state, rule, params, scope).await?;
    }
    match rule.access {
        Access::Grant { resource, verb, pack } => {
            let pack = pack_for(state, pack, params, request.uri()).await?;
            known.require(Need::new(resource, verb).in_pack(pack.as_deref()))?;
        }
        Access::SelfOr { resource, verb } => {
            if params.get("login") != Some(&known.login) {
                known.require(Need::new(resource, verb))?;
            }
        }
        Access::SignedOr { resource, verb } => known.require(Need::new(resource, verb))?,
        Access::Public | Access::Authenticated | Access::InHandler(_) => {}
    }
    request.extensions_mut().insert::<Caller>(known.clone());
    request.extensions_mut().insert(Presented(credential.to_owned()));
    Ok(())
}

/// The routes an execution's token may call ([`ExecutionScope`]), on top of its identity's
/// grants: who it is, its pack's keys (the keys service narrows them to that pack), starting
/// executions, and the state, output, children and cancellation of its own execution and of
/// those it started.
const EXECUTION_TOKEN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/keys"),
    ("GET", "/api/v1/keys/{name}"),
    ("PUT", "/api/v1/keys/{name}"),
    ("DELETE", "/api/v1/keys/{name}"),
    ("POST", "/api/v1/actions/{action_ref}/execute"),
    ("POST", "/api/v1/executions"),
    ("GET", "/api/v1/executions/{id}"),
    ("GET", "/api/v1/executions/{id}/children"),
    ("GET", "/api/v1/executions/{id}/output"),
    ("POST", "/api/v1/executions/{id}/cancel"),
];

/// `Ok` when an execution's token may call `rule`'s route with `params`.
async fn within_execution_scope(
    state: &ApiState,
    rule: &Rule,
    params: &HashMap<String, String>,
    scope: &ExecutionScope,
) -> Result<(), ApiError> {
    let refused = || {
        ApiError::from(attune_services::ServiceError::Forbidden(format!(
            "an execution's token may only read and write its pack's keys, start executions, and follow \
             execution {} and the executions it started; not {} {}",
            scope.execution, rule.method, rule.path
        )))
    };
    if !EXECUTION_TOKEN_ROUTES.contains(&(rule.method, rule.path)) {
        return Err(refused());
    }
    let Some(id) = params.get("id") else { return Ok(()) };
    let id: i64 = id.parse().map_err(|_| refused())?;
    if id == scope.execution {
        return Ok(());
    }
    match state.platform.store.get_execution(id).await {
        Ok(execution) if execution.parent == Some(scope.execution) => Ok(()),
        Ok(_) | Err(attune_store::StoreError::NotFound { .. }) => Err(refused()),
        Err(other) => Err(attune_services::ServiceError::from(other).into()),
    }
}

/// The `access_token` query parameter of a WebSocket upgrade: browsers cannot set an
/// Authorization header on one.
fn websocket_token(request: &Request) -> Option<String> {
    let upgrade = request.headers().get(axum::http::header::UPGRADE)?;
    if !upgrade.as_bytes().eq_ignore_ascii_case(b"websocket") {
        return None;
    }
    let query = axum::extract::Query::<HashMap<String, String>>::try_from_uri(request.uri()).ok()?;
    query.0.get("access_token").filter(|token| !token.is_empty()).cloned()
}

/// The pack a grant check is about, if the route names one.
async fn pack_for(
    state: &ApiState,
    from: PackFrom,
    params: &HashMap<String, String>,
    uri: &Uri,
) -> Result<Option<String>, ApiError> {
    Ok(match from {
        PackFrom::Nothing => None,
        PackFrom::Ref(param) => params.get(param).and_then(|r| pack_of(r)).map(str::to_owned),
        PackFrom::Pack(param) => params.get(param).cloned(),
        PackFrom::PackFilter => axum::extract::Query::<HashMap<String, String>>::try_from_uri(uri)
            .ok()
            .and_then(|query| query.0.get("pack").cloned()),
        PackFrom::ExecutionAction(param) => {
            // An unknown or malformed id checks against no pack: only callers whose grant
            // covers every pack get as far as the handler's 400 or 404.
            match params.get(param).and_then(|id| id.parse().ok()) {
                Some(id) => match state.platform.store.get_execution(id).await {
                    Ok(execution) => pack_of(&execution.action_ref).map(str::to_owned),
                    Err(attune_store::StoreError::NotFound { .. }) => None,
                    Err(other) => return Err(attune_services::ServiceError::from(other).into()),
                },
                None => None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_route_has_one_rule() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert((rule.method, rule.path)), "{} {} is listed twice", rule.method, rule.path);
            assert!(["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&rule.method), "{rule:?}");
        }
    }

    #[test]
    fn pack_sources_name_parameters_of_their_route() {
        for rule in RULES {
            let param = match rule.access {
                Access::Grant { pack: PackFrom::Ref(p) | PackFrom::Pack(p) | PackFrom::ExecutionAction(p), .. } => p,
                Access::SelfOr { .. } => "login",
                _ => continue,
            };
            assert!(rule.path.contains(&format!("{{{param}}}")), "{} {} has no {{{param}}}", rule.method, rule.path);
        }
    }

    #[test]
    fn resources_are_known_types() {
        for rule in RULES {
            if let Access::Grant { resource, .. }
            | Access::SelfOr { resource, .. }
            | Access::SignedOr { resource, .. } = rule.access
            {
                assert!(attune_domain::identity::RESOURCE_TYPES.contains(&resource), "{rule:?}");
            }
        }
    }

    #[test]
    fn execution_token_routes_are_routes() {
        for (method, path) in EXECUTION_TOKEN_ROUTES {
            assert!(RULES.iter().any(|rule| rule.method == *method && rule.path == *path), "{method} {path}");
        }
    }

    #[test]
    fn head_follows_get() {
        assert_eq!(rule_for(&Method::HEAD, "/health").map(|r| r.access), Some(Access::Public));
        assert!(rule_for(&Method::PATCH, "/health").is_none());
    }
}
