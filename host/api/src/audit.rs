//! The API's part of the audit log: every change made through it (`POST`, `PUT`, `PATCH`,
//! `DELETE`), allowed or refused, and every decryption of a key asked of it.
//!
//! The access layer (`crate::rbac::authorize`) brackets each such request: [`begin`] and
//! [`Pending::read_before`] before it decides — naming the act (`METHOD` and route
//! template), the resource from the path, the client's address, and reading the definition
//! as it was — and [`Pending::finish`]
//! once the answer is known, with the caller when one was authenticated. Definitions after
//! the change are read back from the store as the API shows them; response and request
//! bodies are never recorded (they may carry passwords, key values, a new API key or a
//! webhook secret shown once). Webhook posts (event intake, recorded as events), logins and
//! token refreshes are not changes and are not recorded here.

use std::net::SocketAddr;

use attune_domain::audit::NewAuditEntry;
use attune_services::audit;
use attune_services::auth::Caller;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use axum::response::Response;
use serde_json::Value;

use crate::state::ApiState;

/// Largest answer read back to find the ref of what a request created.
const MAX_CREATED_BODY: usize = 1 << 20;

/// A request being recorded.
pub(crate) struct Pending {
    entry: NewAuditEntry,
    /// A create: the ref comes from the answer.
    creates: bool,
    /// A deletion: nothing is left to read after it.
    deletes: bool,
}

/// What `request` (routed to `route`, with path parameters `params` in route order)
/// records, if anything. [`Pending::read_before`] then reads the definition it is about.
pub(crate) fn begin(
    state: &ApiState,
    request: &Request<Body>,
    route: &str,
    params: &[(String, String)],
) -> Option<Pending> {
    let method = request.method();
    let query = request.uri().query().unwrap_or_default();
    let decrypts = method == Method::GET && route == "/api/v1/keys/{name}" && asks_decryption(query);
    let changes = matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !(decrypts || changes) || !recorded(method, route) {
        return None;
    }
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip());
    let client = crate::throttle::client_address(peer, request.headers(), &state.limits.trusted_proxies);
    let resource_type = resource_of(route);
    let detail = if resource_type == "key" { key_address(query) } else { None };
    let entry = NewAuditEntry {
        source: client.map(|address| address.to_string()),
        action: if decrypts { "key.decrypt".to_owned() } else { format!("{method} {route}") },
        resource_type: resource_type.to_owned(),
        resource_ref: params.first().map(|(_, value)| value.clone()),
        detail,
        ..NewAuditEntry::default()
    };
    Some(Pending { creates: params.is_empty() && method == Method::POST, deletes: method == Method::DELETE, entry })
}

impl Pending {
    /// Reads the definition the request is about as it is before it runs.
    pub(crate) async fn read_before(&mut self, state: &ApiState) {
        if let Some(reference) = &self.entry.resource_ref
            && audit::keeps_definitions_of(&self.entry.resource_type)
        {
            self.entry.before = audit::definition(&state.platform, &self.entry.resource_type, reference).await;
        }
    }

    /// Records the answer `response` given to `caller` (none when nobody was
    /// authenticated) and returns it unchanged.
    /// A request that no valid credential came with is not recorded: anyone could fill the
    /// log with those.
    pub(crate) async fn finish(mut self, state: &ApiState, caller: Option<&Caller>, response: Response) -> Response {
        let status = response.status();
        if caller.is_none() && status.as_u16() == 401 {
            return response;
        }
        self.entry.status = Some(i32::from(status.as_u16()));
        self.entry.outcome = match status.as_u16() {
            200..=299 => audit::OK,
            401 | 403 => audit::REFUSED,
            _ => audit::FAILED,
        }
        .to_owned();
        if let Some(caller) = caller {
            self.entry.actor = Some(caller.identity_id);
            self.entry.actor_login = Some(caller.login.clone());
        }
        let response = if self.creates && status.is_success() {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, MAX_CREATED_BODY).await.unwrap_or_default();
            self.entry.resource_ref = created_ref(&bytes);
            Response::from_parts(parts, Body::from(bytes))
        } else {
            response
        };
        let kept = audit::keeps_definitions_of(&self.entry.resource_type);
        if kept
            && status.is_success()
            && !self.deletes
            && let Some(reference) = &self.entry.resource_ref
        {
            self.entry.after = audit::definition(&state.platform, &self.entry.resource_type, reference).await;
        }
        audit::append(state.platform.store.as_ref(), &self.entry).await;
        response
    }
}

/// Whether a request to `route` is recorded: not webhook posts (event intake), logins or
/// token refreshes.
fn recorded(method: &Method, route: &str) -> bool {
    let intake = *method == Method::POST && route == "/api/v1/webhooks/{name}";
    !(intake || route == "/api/v1/auth/login" || route == "/api/v1/auth/refresh")
}

/// A key is named by its scope and owner too, given in the query: those two, and nothing
/// else a caller put there (a value pasted into a query by mistake is never recorded).
fn key_address(query: &str) -> Option<Value> {
    let address: serde_json::Map<String, Value> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, _)| matches!(*name, "scope" | "owner"))
        .map(|(name, value)| (name.to_owned(), Value::String(value.to_owned())))
        .collect();
    (!address.is_empty()).then_some(Value::Object(address))
}

/// Whether a key read's query asks for the value in clear.
fn asks_decryption(query: &str) -> bool {
    query.split('&').any(|pair| matches!(pair, "decrypt=true" | "decrypt=1"))
}

/// The kind of resource a route acts on.
fn resource_of(route: &str) -> &'static str {
    let mut segments = route.trim_start_matches("/api/v1/").split('/');
    let first = segments.next().unwrap_or_default();
    let rest: Vec<&str> = segments.collect();
    match first {
        "packs" if rest.contains(&"secrets") => "secret_binding",
        "packs" => "pack",
        "actions" => "action",
        "executions" => "execution",
        "rules" => "rule",
        "policies" => "policy",
        "inquiries" => "inquiry",
        "webhooks" => "webhook",
        "identities" if rest.contains(&"api-keys") => "api_key",
        "identities" => "identity",
        "permission-sets" => "permission_set",
        "keys" => "key",
        "auth" => "credential",
        "workflows" => "workflow",
        _ => "other",
    }
}

/// The ref, name, login or id of what a create answered with (`{"data": {...}}`).
fn created_ref(body: &[u8]) -> Option<String> {
    let answer: Value = serde_json::from_slice(body).ok()?;
    let data = &answer["data"];
    ["ref", "name", "login", "id"].iter().find_map(|field| match &data[*field] {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn routes_name_their_resource_and_intake_is_not_recorded() {
        assert_eq!(resource_of("/api/v1/rules/{rule_ref}/enable"), "rule");
        assert_eq!(resource_of("/api/v1/packs/{pack_ref}/secrets/{name}"), "secret_binding");
        assert_eq!(resource_of("/api/v1/identities/{login}/api-keys"), "api_key");
        assert_eq!(resource_of("/api/v1/identities/{login}/permission-sets/{set_ref}"), "identity");
        assert_eq!(resource_of("/api/v1/auth/password"), "credential");
        assert!(!recorded(&Method::POST, "/api/v1/webhooks/{name}"));
        assert!(recorded(&Method::DELETE, "/api/v1/webhooks/{name}"));
        assert!(!recorded(&Method::POST, "/api/v1/auth/login"));
        assert!(asks_decryption("scope=system&decrypt=true") && !asks_decryption("decrypt=false"));
        assert_eq!(
            key_address("scope=pack&owner=slack&value=s3cret"),
            Some(json!({"scope": "pack", "owner": "slack"}))
        );
        assert_eq!(key_address("value=s3cret"), None);
    }

    #[test]
    fn a_create_is_named_by_its_ref_name_login_or_id() {
        assert_eq!(created_ref(br#"{"data": {"ref": "core.r", "id": 3}}"#).as_deref(), Some("core.r"));
        assert_eq!(created_ref(br#"{"data": {"id": 42}}"#).as_deref(), Some("42"));
        assert_eq!(created_ref(b"not json"), None);
    }
}
